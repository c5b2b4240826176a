import type { ClientMetadata } from 'oidc-provider';
import { ACCOUNT_CONSOLE_CLIENT_ID } from '../clients/account-console-client.ts';

/** How the broker's pages of a portal's sign-ins show that portal: its name, logo, colour, policy and terms. */
export interface PortalLook {
  id: string;
  name: string;
  logoUri?: string;
  policyUri?: string;
  tosUri?: string;
  /** The portal's colour as a stylesheet of its own (the pages' policy allows no inline style). */
  brandStylesheet?: string;
}

/**
 * The name pages give a portal: its registered client_name, but the broker's own account console is named in the
 * page's language ("My account", "Mein Konto").
 */
export function portalName(clientId: string, registered: string | undefined, t: (key: string) => string): string {
  return clientId === ACCOUNT_CONSOLE_CLIENT_ID ? t('account.overview.title') : (registered ?? clientId);
}

/** Registration has checked every field (client-policy.ts): https links, a colour as #rrggbb. */
export function portalLook(metadata: ClientMetadata, t: (key: string) => string): PortalLook {
  const colour = typeof metadata.brand_color === 'string' ? metadata.brand_color : undefined;
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  return {
    id: metadata.client_id,
    name: portalName(metadata.client_id, text(metadata.client_name), t),
    logoUri: text(metadata.logo_uri),
    policyUri: text(metadata.policy_uri),
    tosUri: text(metadata.tos_uri),
    // The colour in the address: a portal that changes it is not served the old one from a cache.
    brandStylesheet: colour
      ? `/assets/brand/${encodeURIComponent(metadata.client_id)}.css?c=${colour.slice(1).toLowerCase()}`
      : undefined,
  };
}

/**
 * The header in the portal's colour, with black or white text, whichever is easier to read on it (WCAG 2 contrast),
 * so that any colour a portal picks keeps the page readable.
 */
export function brandStylesheetFor(colour: string): string {
  if (!/^#[0-9a-fA-F]{6}$/.test(colour)) return '';
  const [r, g, b] = [1, 3, 5].map((i) => {
    const channel = parseInt(colour.slice(i, i + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  const onWhite = 1.05 / (luminance + 0.05);
  const onBlack = (luminance + 0.05) / 0.05;
  return `:root { --brand: ${colour}; --brand-fg: ${onWhite >= onBlack ? '#fff' : '#000'}; }\n`;
}
