import { Redis } from 'ioredis';

/** What a key of the broker's Redis holds, by its name (stores/redis/*): lasting per session, or passing. */
const LASTING = [
  /oidc:\{(Session|Grant|AccessToken|RefreshToken):/,
  /oidc:(uid:Session|grant|account):/,
  /sessions:session-details:/,
];

/**
 * Redis memory a signed-in session costs: `signIn` is run `count` times (each a new browser, so a new session, with
 * one grant and its tokens), then every key under the broker's prefix that was not there before is weighed with
 * MEMORY USAGE, and so is what keys that were there grew by (the account's index of its sessions and grants, which
 * every sign-in of the same person adds two members to: counted as its size per member times the members added). The lasting state (session, grant, access and refresh token,
 * their indexes, the session's details) is told apart from what passes with the sign-in (the interaction, the spent
 * code, the upstream round trip, limits), which expires within minutes.
 */
export async function measureSessionMemory(
  redisUrl: string,
  prefix: string,
  signIn: () => Promise<void>,
  count: number,
): Promise<{ lastingBytes: number; passingBytes: number; lastingKeys: number }> {
  const redis = new Redis(redisUrl);
  try {
    const keys = async () => {
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        for (const key of batch) if (!key.startsWith(`${prefix}bull`)) found.add(key);
      } while (cursor !== '0');
      return found;
    };
    const usage = async (key: string) => Number(await redis.memory('USAGE', key, 'SAMPLES', 0)) || 0;
    const members = async (key: string) => ((await redis.type(key)) === 'set' ? await redis.scard(key) : 0);
    const before = new Map<string, { bytes: number; members: number }>();
    for (const key of await keys()) before.set(key, { bytes: await usage(key), members: await members(key) });
    for (let i = 0; i < count; i++) await signIn();
    let lastingBytes = 0;
    let passingBytes = 0;
    let lastingKeys = 0;
    for (const key of await keys()) {
      const was = before.get(key);
      const used = await usage(key);
      let bytes = used - (was?.bytes ?? 0);
      // A set that was there (the account's index) grows in steps as its table doubles, so what it grew by in this
      // run depends on where it stood: its size per member times the members added says what a session costs.
      const now = was?.members ? await members(key) : 0;
      if (was?.members && now > was.members) bytes = (used / now) * (now - was.members);
      if (was && bytes <= 0) continue;
      if (LASTING.some((pattern) => pattern.test(key))) {
        lastingBytes += bytes;
        if (!before.has(key)) lastingKeys += 1;
      } else passingBytes += bytes;
    }
    return { lastingBytes: lastingBytes / count, passingBytes: passingBytes / count, lastingKeys: lastingKeys / count };
  } finally {
    redis.disconnect();
  }
}
