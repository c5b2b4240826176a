import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.ts';
import { authorize } from '../support/flows.ts';
import { createPortal } from '../support/portal.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { rogueUpstreamConfig, startRogueErin } from '../support/rogue-upstream.ts';
import { waitUntil } from '../support/wait.ts';

// A broker process stopped with SIGTERM while a sign-in waits on a slow upstream token endpoint.
let rogue: Awaited<ReturnType<typeof startRogueErin>>['rogue'];
let seedFile: string;

beforeAll(async () => {
  ({ rogue, seedFile } = await startRogueErin());
});
afterAll(async () => {
  await rogue.close();
});

async function brokerWith(env: Record<string, string>) {
  const broker = await spawnBroker(
    {
      directorySeedFile: seedFile,
      upstreams: [rogueUpstreamConfig(rogue.issuer, { timeoutSeconds: 10 })],
    },
    { LOG_LEVEL: 'info', ...env },
  );
  return { broker, portal: await createPortal(broker.issuer) };
}

/** Portal → broker → upstream, up to the broker's callback, which is then asked for with the token endpoint slow. */
async function slowCallback(issuer: string, portal: Awaited<ReturnType<typeof createPortal>>, slowTokenMs: number) {
  const browser = new Browser();
  const { page, checks } = await authorize(browser, portal);
  const atCallback = await browser.submit(
    page,
    'form[action$="/upstream"]',
    {},
    { submitter: 'button[value="rogue"]', stopAt: [`${issuer}/upstream/callback/`] },
  );
  expect(atCallback.stopped).toContain('/upstream/callback/rogue');
  rogue.state.scenario = 'slow-token';
  rogue.state.slowTokenMs = slowTokenMs;
  const before = rogue.state.tokenRequests;
  return {
    browser,
    checks,
    callback: atCallback.stopped!,
    /** Resolves once the broker's request to the upstream token endpoint has arrived there. */
    tokenRequested: () => waitUntil(() => rogue.state.tokenRequests > before, 20_000, 'the upstream token request'),
  };
}

const events = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { event: string }).event)
    .filter((event) => event.startsWith('shutdown.'));

describe('stopping on SIGTERM', () => {
  it('finishes a sign-in whose upstream callback is in flight, answers /readyz 503 meanwhile, and exits 0', async () => {
    // The grace outlasts the slow token endpoint: the browser's next requests still reach this node.
    const { broker, portal } = await brokerWith({ SHUTDOWN_GRACE_SECONDS: '6' });
    try {
      expect((await fetch(`${broker.issuer}/readyz`)).status).toBe(200);
      const flow = await slowCallback(broker.issuer, portal, 2000);
      const landed = flow.browser.go(flow.callback, { stopAt: [portal.redirectUri] });
      await flow.tokenRequested();
      const exited = broker.exitCodeAfter('SIGTERM');
      await waitUntil(async () => (await fetch(`${broker.issuer}/readyz`)).status === 503, 20_000, '/readyz 503');
      const readyz = await fetch(`${broker.issuer}/readyz`);
      expect(await readyz.json()).toEqual({ status: 'stopping', checks: {} });
      // Alive all the same: a stopping process is not one to restart.
      expect((await fetch(`${broker.issuer}/healthz`)).status).toBe(200);

      const back = await landed;
      expect(back.stopped).toContain('code=');
      const tokens = await portal.redeem(back.stopped!, flow.checks);
      expect(tokens.claims()!.sub).toBe('prf-erin-contoso');

      expect(await exited).toBe(0);
      expect(events(broker.output())).toEqual([
        'shutdown.started',
        'shutdown.listener_closed',
        'shutdown.requests_finished',
        'shutdown.background_stopped',
        'shutdown.stores_closed',
        'shutdown.complete',
      ]);
    } finally {
      rogue.state.scenario = 'valid';
      await broker.stop('SIGKILL');
    }
  }, 60_000);

  it('refuses new connections after the grace, yet answers the request in flight, then exits 0', async () => {
    const { broker, portal } = await brokerWith({ SHUTDOWN_GRACE_SECONDS: '0.5' });
    try {
      const flow = await slowCallback(broker.issuer, portal, 3000);
      // One request, its redirect not followed: the next hop would need a new connection.
      const answer = flow.browser.request(flow.callback);
      await flow.tokenRequested();
      const exited = broker.exitCodeAfter('SIGTERM');
      await waitUntil(() => broker.output().includes('shutdown.listener_closed'), 20_000, 'the listener closed');
      await expect(fetch(`${broker.issuer}/healthz`)).rejects.toThrow();

      const response = await answer;
      expect(response.status).toBeGreaterThanOrEqual(300);
      expect(response.status).toBeLessThan(400);
      expect(response.headers.get('location')).toMatch(/\/interaction\/|\/auth\//);
      expect(response.headers.get('connection')).toBe('close');
      expect(await exited).toBe(0);
    } finally {
      rogue.state.scenario = 'valid';
      await broker.stop('SIGKILL');
    }
  }, 60_000);

  it('cuts what is left and exits 1 when SHUTDOWN_TIMEOUT_SECONDS passes', async () => {
    const { broker, portal } = await brokerWith({ SHUTDOWN_GRACE_SECONDS: '0', SHUTDOWN_TIMEOUT_SECONDS: '1' });
    try {
      const flow = await slowCallback(broker.issuer, portal, 2500);
      const answer = flow.browser.request(flow.callback).then(
        (r) => r.status,
        () => 'cut',
      );
      await flow.tokenRequested();
      expect(await broker.exitCodeAfter('SIGTERM')).toBe(1);
      expect(await answer).toBe('cut');
      expect(events(broker.output())).toContain('shutdown.timed_out');
    } finally {
      rogue.state.scenario = 'valid';
      await broker.stop('SIGKILL');
    }
  }, 60_000);
});
