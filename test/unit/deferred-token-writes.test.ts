import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Koa from 'koa';
import type Provider from 'oidc-provider';
import { deferredTokenWrites } from '../../src/http/deferred-token-writes.ts';
import { providerOutageAnswers } from '../../src/http/provider-outage.ts';
import { createRequestContext } from '../../src/shared/request-context.ts';

// The token endpoint's answer waits for the token saves left to it, and carries no token when one failed.
const requests = createRequestContext();
const errors: string[] = [];
const logger = { info: () => undefined, warn: () => undefined, error: (event: string) => void errors.push(event) };

/** What the stand-in provider's save does this time: its send, and whether it was set up at all. */
let send: (() => Promise<void>) | undefined;
let offered: boolean | undefined;

const app = new Koa();
app.use((ctx, next) => requests.run({ requestId: 'r1' }, () => next()));
app.use(providerOutageAnswers(new EventEmitter() as unknown as Provider));
app.use(deferredTokenWrites(requests, logger));
app.use((ctx) => {
  const scope = requests.current()!;
  offered = scope.pendingWrites !== undefined;
  if (send) scope.pendingWrites?.push(send);
  ctx.body = { access_token: 'at-value', refresh_token: 'rt-value', token_type: 'Bearer' };
});
let server: ReturnType<Koa['listen']>;
let base: string;
beforeAll(async () => {
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const post = (path = '/token') => fetch(`${base}${path}`, { method: 'POST' });

describe('token saves left for the answer', () => {
  it('answers once the saves have landed, with the tokens', async () => {
    let release!: () => void;
    let started = false;
    send = () => {
      started = true;
      return new Promise<void>((resolve) => (release = resolve));
    };
    let answered = false;
    const answer = post().then((response) => {
      answered = true;
      return response;
    });
    const deadline = Date.now() + 10_000;
    while (!started && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(started).toBe(true);
    // The send is under way and has not finished: the answer must still be waiting. A round trip to the server and
    // back shows nothing went out in the meantime.
    await fetch(`${base}/other`, { method: 'POST' });
    expect(answered).toBe(false);
    release();
    const response = await answer;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ access_token: 'at-value' });
  });

  it('hands out no token when a save failed: 500 server_error', async () => {
    send = () => Promise.reject(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'));
    const response = await post();
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ error: 'server_error' });
    expect(body).not.toContain('at-value');
    expect(body).not.toContain('rt-value');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(errors).toContain('token.write_failed');
  });

  it('says "try again shortly" when the store did not answer: 503 temporarily_unavailable with Retry-After', async () => {
    send = () => Promise.reject(new Error('Command timed out'));
    const response = await post();
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('10');
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ error: 'temporarily_unavailable' });
    expect(body).not.toContain('at-value');
  });

  it('leaves every other endpoint to write where it saves', async () => {
    send = undefined;
    await post('/token');
    expect(offered).toBe(true);
    await post('/token/introspection');
    expect(offered).toBe(false);
  });
});
