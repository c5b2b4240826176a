/**
 * What `BENCH_PRELOAD_PROFILES` and `BENCH_PRELOAD_GRANTS` put into a broker before bench:compare measures it
 * (compare.ts): directory profiles spread over organisations, most of them associated, and live grants of those
 * profiles with a refresh token each. Written through the broker's own stores (the directory's batch writes, as an
 * import does) and its own oidc-provider models (so the adapter writes each grant's account and grant indexes exactly
 * as a sign-in does), in bounded batches: 100,000 of each load in seconds in memory and well within a minute on Redis
 * and FerretDB, without 100,000 HTTP sign-ins.
 */
import type Provider from 'oidc-provider';
import type { Association, Organisation, Profile } from '../../src/directory/model.ts';
import type { Stores } from '../../src/stores/choose-stores.ts';
import { mapLimited } from '../../src/shared/map-limited.ts';

/** Profiles per organisation: a directory of many mid-sized customers, so per-organisation lookups read ~50. */
export const PROFILES_PER_ORGANISATION = 50;
/** Records written per batch, and requests in flight at once: bounded memory, round trips hidden. */
const BATCH = 1000;
const IN_FLIGHT = 16;
/** The scope of a preloaded grant: what the bench's portal asks for with offline access (compare.ts). */
export const PRELOAD_SCOPE = 'openid email profile org_profile offline_access';

export const preloadProfileId = (i: number) => `prf-bench-${i}`;
const organisationOf = (i: number) => Math.floor(i / PROFILES_PER_ORGANISATION);
/**
 * The person behind profile `i`: one profile in ten is the same person as a profile of an earlier organisation (never
 * such a second profile itself, nor one of its own organisation), as people who work for two customers are.
 */
const personOf = (i: number) => (i % 10 === 9 && i >= 100 ? i - 55 : i);

/** Organisation `o` of the preloaded directory, of one of `kinds` in turn. */
function organisation(o: number, kinds: readonly string[]): Organisation {
  return {
    id: `org-bench-${o}`,
    accountNumber: `B-${String(o).padStart(7, '0')}`,
    name: `Bench Organisation ${o}`,
    kind: kinds[o % kinds.length]!,
    status: 'active',
    contractEndsOn: '2099-12-31',
  };
}

/**
 * Profile `i`: the first of each organisation its administrator; the email of its person (personOf); one in fifty
 * disabled; a few with a language of their own.
 */
function profile(i: number): Profile {
  const o = organisationOf(i);
  const person = personOf(i);
  return {
    id: preloadProfileId(i),
    organisationId: `org-bench-${o}`,
    email: `person.${person}@bench-${organisationOf(person)}.example`,
    displayName: `Bench Person ${person}`,
    role: i % PROFILES_PER_ORGANISATION === 0 ? 'administrator' : 'professional',
    status: i % 50 === 49 ? 'disabled' : 'active',
    ...(i % 7 === 3 ? { locale: 'de' } : {}),
  };
}

/** Four profiles in five are associated (the fifth waits for its link), with the demo upstream's subject of its person. */
function association(i: number): Association | undefined {
  if (i % 5 === 4) return undefined;
  return {
    profileId: preloadProfileId(i),
    upstreamId: 'demo',
    subject: `bench-${personOf(i)}`,
    associatedAt: new Date(0),
  };
}

const batches = (count: number) =>
  Array.from({ length: Math.ceil(count / BATCH) }, (_, b) => ({
    from: b * BATCH,
    to: Math.min(count, (b + 1) * BATCH),
  }));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

/** `count` profiles, their organisations and associations, through the directory's batch writes. */
export async function preloadDirectory(directory: Stores['directory'], count: number, kinds: readonly string[]) {
  const organisations = Math.ceil(count / PROFILES_PER_ORGANISATION);
  const refused = (results: { ok: boolean }[]) => results.filter((r) => !r.ok).length;
  let failures = 0;
  for (const { from, to } of batches(organisations))
    failures += refused(await directory.writeOrganisations(range(from, to).map((o) => organisation(o, kinds))));
  for (const { from, to } of batches(count))
    failures += refused(await directory.writeProfiles(range(from, to).map(profile)));
  if (failures) throw new Error(`${failures} preloaded directory records refused`);
  // The association store has no batch write (an association is made one at a time, by a link): a few in flight.
  const associations = range(0, count).flatMap((i) => association(i) ?? []);
  await mapLimited(associations, IN_FLIGHT, (a) => directory.associate(a));
  return { organisations, profiles: count, associations: associations.length };
}

/**
 * `count` live grants of `clientId`, each with a refresh token, saved through `provider`'s models (and so its adapter,
 * with the indexes a sign-in writes). Grant `i` belongs to account `accountOf(i)`.
 */
export async function preloadGrants(
  provider: Provider,
  clientId: string,
  count: number,
  accountOf: (i: number) => string,
  scope = PRELOAD_SCOPE,
) {
  const client = await provider.Client.find(clientId);
  if (!client) throw new Error(`preload: no client ${clientId}`);
  const authTime = Math.floor(Date.now() / 1000);
  for (const { from, to } of batches(count))
    await mapLimited(range(from, to), BATCH / 4, async (i) => {
      const accountId = accountOf(i);
      const grant = new provider.Grant({ accountId, clientId });
      grant.addOIDCScope(scope);
      const grantId = await grant.save();
      await new provider.RefreshToken({
        accountId,
        client,
        grantId,
        scope,
        gty: 'authorization_code',
        authTime,
      }).save();
    });
  return { grants: count, refreshTokens: count };
}

/** The two counts from the environment (0 unless set), refused unless whole numbers. */
export function preloadCounts(env: NodeJS.ProcessEnv = process.env) {
  const read = (name: string) => {
    const value = Number(env[name] ?? 0);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number (got ${env[name]})`);
    return value;
  };
  return { profiles: read('BENCH_PRELOAD_PROFILES'), grants: read('BENCH_PRELOAD_GRANTS') };
}

/** A line saying how long `work` took and what it wrote, for the bench's output (compare.ts shows it). */
export async function timed<T>(
  label: string,
  work: () => Promise<T>,
  write = (line: string) => process.stdout.write(line),
) {
  const started = performance.now();
  const result = await work();
  write(`preload ${label}: ${JSON.stringify(result)} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}
