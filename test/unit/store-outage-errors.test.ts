import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/shared/logger.ts';
import { toAppError } from '../../src/shared/to-app-error.ts';
import { createRedis } from '../../src/stores/redis/connection.ts';
import type { RedisClient } from '../../src/stores/redis/connection-options.ts';
import { freePort } from '../support/free-port.ts';

// The errors come from the real driver, configured as the broker configures it, pointed at a port nobody listens on.
const clients: RedisClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

async function failedCommand(url: string): Promise<unknown> {
  const redis = createRedis(url, createLogger('silent'));
  clients.push(redis);
  return redis.get('any').then(
    () => new Error('the command succeeded'),
    (err: unknown) => err,
  );
}

describe('a Redis that cannot be reached', () => {
  it('is "temporarily unavailable" (503, retry in 10 s), not a 500: one server', async () => {
    const error = toAppError(await failedCommand(`redis://127.0.0.1:${await freePort()}`));
    expect(error.status).toBe(503);
    expect(error.code).toBe('service_unavailable');
  });

  it('is "temporarily unavailable" (503, retry in 10 s), not a 500: a cluster with no slot map yet', async () => {
    const error = toAppError(await failedCommand(`redis-cluster://127.0.0.1:${await freePort()}`));
    expect(error.status).toBe(503);
    expect(error.code).toBe('service_unavailable');
  });
});
