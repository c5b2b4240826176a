/**
 * Where an upstream's end-session endpoint sends people back to the broker after signing them out there: register it
 * with each upstream as a post-logout redirect URI.
 */
export const SIGNED_OUT_PATH = '/signed-out';

export const signedOutUri = (issuer: string) => `${issuer}${SIGNED_OUT_PATH}`;
