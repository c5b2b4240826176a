import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { LogLine } from '../support/broker.ts';
import { capturingLogger } from '../support/broker.ts';
import { createGracefulShutdown } from '../../src/shared/graceful-shutdown.ts';

/** A stop of an idle server, with `flushTraces` as given; resolves with the exit code and the shutdown events. */
async function stopWith(flushTraces: () => Promise<void>) {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const logs: LogLine[] = [];
  const order: string[] = [];
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const shutdown = createGracefulShutdown({
    server,
    logger: capturingLogger(logs),
    graceSeconds: 0,
    timeoutSeconds: 20,
    stopBackground: async () => undefined,
    closeStores: async () => void order.push('stores'),
    flushTraces: () => (order.push('traces'), flushTraces()),
    exit,
  });
  const started = Date.now();
  await shutdown.stop('SIGTERM');
  return { code: await exited, seconds: (Date.now() - started) / 1000, order, events: logs.map((l) => l.event) };
}

describe('the last spans on a graceful stop', () => {
  it('are flushed after the stores close, before the exit', async () => {
    const stop = await stopWith(async () => undefined);
    expect(stop.code).toBe(0);
    expect(stop.order).toEqual(['stores', 'traces']);
    expect(stop.events.slice(-3)).toEqual(['shutdown.stores_closed', 'shutdown.traces_flushed', 'shutdown.complete']);
  });

  it('are given up after 3 seconds when the collector does not answer, and the stop still exits 0', async () => {
    const stop = await stopWith(() => new Promise<void>(() => undefined));
    expect(stop.code).toBe(0);
    expect(stop.seconds).toBeGreaterThanOrEqual(2.9);
    expect(stop.seconds).toBeLessThan(10);
    expect(stop.events.slice(-2)).toEqual(['shutdown.traces_not_flushed', 'shutdown.complete']);
  });
});
