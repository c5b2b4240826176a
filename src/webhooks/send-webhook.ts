import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Webhook } from 'standardwebhooks';
import { isIP } from 'node:net';
import { isInternalAddress } from '../shared/outbound-url.ts';

/** How one attempt ended: any 2xx is success; everything else is retried (docs/decisions/0018). */
export interface SendResult {
  ok: boolean;
  status?: number;
  error?: string;
}

export interface SendOptions {
  timeoutMs: number;
  /** Refuse to connect to loopback, link-local or private addresses (production), whatever the name resolves to now. */
  refuseInternal: boolean;
  userAgent?: string;
}

/** `whsec_` and 32 random bytes, base64: the Standard Webhooks secret format receivers' libraries take. */
export function newWebhookSecret(random: (bytes: number) => Buffer): string {
  return `whsec_${random(32).toString('base64')}`;
}

/**
 * The Standard Webhooks headers for one attempt: the event's id (the same on every attempt), the attempt's time, and
 * the signature over `id.timestamp.payload` made by the `standardwebhooks` library.
 */
export function signedHeaders(secret: string, id: string, payload: string, at: Date): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, payload),
  };
}

/**
 * One POST of a signed payload, bounded by `timeoutMs` from the start to the end of the answer. Never throws: the
 * outcome, with a reason that holds no secret (the URL's query is never quoted), is the result.
 */
export function sendWebhook(
  url: string,
  headers: Record<string, string>,
  payload: string,
  options: SendOptions,
): Promise<SendResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, error: 'invalid URL' });
  }
  // An address in the URL is never looked up, so it is checked here.
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (options.refuseInternal && isIP(host) && isInternalAddress(host))
    return Promise.resolve({ ok: false, error: 'refused: an internal address' });
  return new Promise((resolve) => {
    let settled = false;
    // Called only from the request's callbacks and the timer, all after both exist.
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'user-agent': options.userAgent ?? 'profile-broker-webhooks',
        },
        ...(options.refuseInternal ? { lookup: externalOnlyLookup } : {}),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        // The body is not needed; it is read (and dropped) so the connection closes cleanly.
        response.resume();
        response.on('end', () =>
          finish(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` }),
        );
        response.on('error', () => finish({ ok: false, status, error: `HTTP ${status}, answer cut off` }));
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, error: `no answer within ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (err: NodeJS.ErrnoException) =>
      finish({ ok: false, error: (err.code ?? err.message).slice(0, 200) }),
    );
    request.end(payload);
  });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup, refusing names that resolve to internal addresses (a name registered public may point inside later). */
function externalOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    if (list.some((a) => isInternalAddress(a.address))) {
      const refused: NodeJS.ErrnoException = new Error('refused: resolves to an internal address');
      refused.code = 'EINTERNALADDRESS';
      return callback(refused, []);
    }
    if (options.all) return callback(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
}
