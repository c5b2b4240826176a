import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { isolatedStoresEnv, startBroker } from '../support/broker.ts';
import { Browser } from '../support/browser.ts';
import { signInUpstream } from '../support/flows.ts';
import { startMongo } from '../support/mongo.ts';
import { nodeChildEnv } from '../support/node-child.ts';
import { spawnBroker } from '../support/process-broker.ts';
import { startRedis } from '../support/redis.ts';
import { waitUntil } from '../support/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'admin.ts');
const work = mkdtempSync(join(tmpdir(), 'admin-cli-'));
const operator = `operator:${userInfo().username}`;
// Every command is a process of its own (node, TypeScript stripped at load): seconds each on a busy two-core machine.
// Commands that do not depend on each other's effects run at the same time, as separate terminals would.
jest.setTimeout(90_000);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real command, as its own process: `node scripts/admin.ts …` (what `npm run admin -- …` runs). */
function admin(
  argv: string[],
  env: Record<string, string>,
  command: [string, string[]] = [process.execPath, [SCRIPT]],
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command[0],
      [...command[1], ...argv],
      { cwd: work, env: { ...nodeChildEnv(), HOME: process.env.HOME ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const CSV = [
  'account_number,organisation_name,kind,email,display_name',
  'C-555001,"Alpine Ski House, Inc",customer,ann@alpine.example,Ann Alpine',
  'C-555001,"Alpine Ski House, Inc",customer,ben@alpine.example,Ben Alpine',
  'C-555001,"Alpine Ski House, Inc",customer,not-an-email,Nobody',
].join('\r\n');
writeFileSync(join(work, 'people.csv'), CSV);

describe('npm run admin against the running embedded demo', () => {
  let demo: Awaited<ReturnType<typeof spawnBroker>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    const socket = join(work, 'demo.sock');
    demo = await spawnBroker(
      {},
      {
        ADMIN_SOCKET: socket,
        ADMIN_CLIENT_ID: 'root-admin',
        ADMIN_CLIENT_SECRET: 'root-admin-secret-0123456789abcdefghij',
      },
    );
    env = { PORT: String(demo.port), ADMIN_SOCKET: socket, NODE_ENV: 'test' };
    // Beyond the 60 s a broker process is given to come up, so a slow start fails with what the process printed.
  }, 90_000);
  afterAll(() => demo?.stop());

  it('prints help and usage errors without a broker, with exit codes 0 and 2', async () => {
    const [help, commandHelp, unknown, prototypeName, badOption, missing] = await Promise.all([
      admin(['--help'], {}),
      admin(['profiles', 'unlink', '--help'], {}),
      admin(['profiles', 'shoe'], {}),
      admin(['constructor'], {}),
      admin(['profiles', 'list', '--colour', 'red'], {}),
      admin(['profiles', 'unlink', 'prf-alice-contoso'], env),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run admin -- <command>');
    expect(help.stdout).toContain('directory import <file.csv|file.json> [--dry-run]');
    expect(commandHelp.stdout).toContain('profiles unlink <profile-id> --reason <text>');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command: profiles shoe');
    expect(prototypeName.code).toBe(2);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--colour'");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--reason is required');
  });

  it("changes the running demo's directory, the demo serves the change, and the audit log names the operator", async () => {
    const created = await admin(
      [
        'profiles',
        'create',
        '--organisation',
        'org-fabrikam',
        '--email',
        'Nina@Fabrikam.example',
        '--name',
        'Nina Nguyen',
        '--json',
      ],
      env,
    );
    expect(created.code).toBe(0);
    const profile = JSON.parse(created.stdout) as { id: string; email: string; role: string };
    expect(profile).toMatchObject({ email: 'nina@fabrikam.example', role: 'professional' });

    const listed = await admin(['profiles', 'list', '--organisation', 'org-fabrikam'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^id\s+organisation_id\s+email/);
    expect(listed.stdout).toMatch(
      new RegExp(
        `\\n${profile.id}\\s+org-fabrikam\\s+nina@fabrikam\\.example\\s+Nina Nguyen\\s+professional\\s+active\\n`,
      ),
    );

    const designated = await admin(
      ['organisations', 'set-administrator', 'org-fabrikam', profile.id, '--reason', 'Bob retired'],
      env,
    );
    expect(designated.stdout).toMatch(
      new RegExp(
        `^${profile.id} is now the administrator of org-fabrikam \\(was prf-bob-fabrikam\\); reference [0-9A-F-]{14}\\n$`,
      ),
    );

    // The same process serves people: the demo's mailbox shows the two administrator emails.
    const mailbox = () => fetch(`${demo.issuer}/dev/mailbox`).then((r) => r.text());
    await waitUntil(
      async () => (await mailbox()).includes('You are no longer the administrator of Fabrikam Consulting'),
      10_000,
      'the mails in the demo mailbox',
    );
    expect(await mailbox()).toContain('You are now the administrator of Fabrikam Consulting');

    const audit = JSON.parse((await admin(['audit', '--organisation', 'org-fabrikam', '--json'], env)).stdout) as {
      events: { action: string; actor: string }[];
    };
    expect(audit.events.map((e) => [e.action, e.actor])).toEqual([
      ['organisation.administrator_changed', operator],
      ['profile.created', operator],
    ]);
  });

  it('imports a file named relative to where the command runs, dry run first, and reports rejected rows', async () => {
    const dry = await admin(['directory', 'import', 'people.csv', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run (nothing written): 3 rows: 2 created, 0 updated, 0 unchanged, 1 rejected');
    expect(dry.stdout).toContain('line 4: rejected: email is not an email address');
    expect((await admin(['organisations', 'list', '--q', 'C-555001'], env)).stdout).toBe('(none)\n');
    const applied = await admin(['directory', 'import', 'people.csv', '--json'], env);
    expect(JSON.parse(applied.stdout).rows).toEqual({ total: 3, created: 2, updated: 0, unchanged: 0, rejected: 1 });
    expect((await admin(['organisations', 'list', '--q', 'C-555001'], env)).stdout).toContain('Alpine Ski House, Inc');
  });

  it("lists a profile's broker sessions and signs it out of them, audited with the reason", async () => {
    const browser = new Browser();
    await signInUpstream(browser, await browser.go(`${demo.issuer}/demo/customer-portal/login`), 'alice');
    const listed = await admin(['profiles', 'sessions', 'prf-alice-contoso', '--json'], env);
    expect(listed.code).toBe(0);
    const sessions = JSON.parse(listed.stdout).sessions as { id: string; portals: { client_id: string }[] }[];
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.portals.map((p) => p.client_id)).toEqual(['customer-portal']);
    expect((await admin(['profiles', 'sessions', 'prf-alice-contoso'], env)).stdout).toContain(sessions[0]!.id);

    expect((await admin(['profiles', 'sign-out', 'prf-alice-contoso'], env)).code).toBe(2);
    const ended = await admin(
      // `=`: a session id may begin with a dash, which would otherwise read as an option.
      ['profiles', 'sign-out', 'prf-alice-contoso', `--session=${sessions[0]!.id}`, '--reason', 'ticket 9'],
      env,
    );
    expect(ended).toMatchObject({ code: 0, stdout: '1 session signed out\n', stderr: '' });
    expect((await admin(['profiles', 'sessions', 'prf-alice-contoso'], env)).stdout).toBe('(none)\n');
    const audit = await admin(['audit', '--profile', 'prf-alice-contoso', '--action', 'session.ended', '--json'], env);
    expect(audit.stdout).toContain('ticket 9');
  });

  it("sets a profile's language with --locale, shows it, removes it with --locale '', and refuses a malformed tag (exit 2)", async () => {
    const created = await admin(
      [
        'profiles',
        'create',
        '--organisation',
        'org-fabrikam',
        '--email',
        'lea@fabrikam.example',
        '--name',
        'Léa Laurent',
        '--locale',
        'fr-ch',
        '--json',
      ],
      env,
    );
    expect(created.code).toBe(0);
    const profile = JSON.parse(created.stdout) as { id: string; locale: string };
    expect(profile.locale).toBe('fr-CH');
    const [shown, malformed, emptyOnCreate] = await Promise.all([
      admin(['profiles', 'show', profile.id], env),
      admin(
        ['profiles', 'update', profile.id, '--email', 'lea@fabrikam.example', '--name', 'Léa', '--locale', 'français'],
        env,
      ),
      admin(
        [
          'profiles',
          'create',
          '--organisation',
          'org-fabrikam',
          '--email',
          'x@fabrikam.example',
          '--name',
          'X',
          '--locale',
          '',
        ],
        env,
      ),
    ]);
    expect(shown.stdout).toContain('\nlocale: fr-CH');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('invalid value: --locale must be a BCP 47 language tag such as de or fr-CH');
    expect(emptyOnCreate.code).toBe(2);
    const german = await admin(
      [
        'profiles',
        'update',
        profile.id,
        '--email',
        'lea@fabrikam.example',
        '--name',
        'Léa',
        '--locale',
        'de',
        '--json',
      ],
      env,
    );
    expect(JSON.parse(german.stdout)).toMatchObject({ display_name: 'Léa', locale: 'de' });
    const kept = await admin(
      ['profiles', 'update', profile.id, '--email', 'lea@fabrikam.example', '--name', 'Léa L', '--json'],
      env,
    );
    expect(JSON.parse(kept.stdout)).toMatchObject({ display_name: 'Léa L', locale: 'de' });
    const removed = await admin(
      ['profiles', 'update', profile.id, '--email', 'lea@fabrikam.example', '--name', 'Léa L', '--locale', ''],
      env,
    );
    expect(removed.code).toBe(0);
    expect((await admin(['profiles', 'show', profile.id], env)).stdout).toContain('\nlocale: -');
  });

  it('says what was refused with exit code 1, as the admin API words it', async () => {
    const [missing, json, conflict] = await Promise.all([
      admin(['profiles', 'show', 'prf-nope'], env),
      admin(['profiles', 'association', 'prf-erin-contoso', '--json'], env),
      admin(['organisations', 'create', '--account-number', 'C-104233', '--name', 'Copy', '--kind', 'customer'], env),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'error: profile_not_found: There is no profile prf-nope. List profiles (GET /admin/api/v1/directory/profiles, filter by organisation_id or email) to find its id.\n',
    );
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: 'not_associated' });
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('account_number_taken');
  });

  it("words a refusal in the terminal's language (LANG, LC_MESSAGES, LC_ALL), with the same code", async () => {
    const [german, french] = await Promise.all([
      admin(['profiles', 'show', 'prf-nope'], { ...env, LANG: 'de_DE.UTF-8' }),
      admin(['profiles', 'show', 'prf-nope'], { ...env, LANG: 'de_DE.UTF-8', LC_ALL: 'fr_FR.UTF-8' }),
    ]);
    expect(german.code).toBe(1);
    expect(german.stderr).toMatch(/^error: profile_not_found: Es gibt kein Profil prf-nope\. /);
    expect(french.code).toBe(1);
    expect(french.stderr).toMatch(/^error: profile_not_found: Il n’existe aucun profil prf-nope\. /);
  });

  it('never lets the bootstrap admin client be disabled, deleted or given a new secret (exit 1, managed_by_configuration)', async () => {
    const commands = [
      ['clients', 'disable', 'root-admin', '--reason', 'oops'],
      ['clients', 'delete', 'root-admin'],
      ['clients', 'rotate-secret', 'root-admin'],
    ];
    const answers = await Promise.all(commands.map((command) => admin(command, env)));
    commands.forEach((command, i) => {
      const refused = answers[i]!;
      expect({ command, code: refused.code, stdout: refused.stdout }).toEqual({ command, code: 1, stdout: '' });
      expect(refused.stderr).toContain(
        "error: managed_by_configuration: Admin client root-admin is defined in the broker's configuration",
      );
    });
    // Only once every attempt has been answered: the client is still there and active.
    expect((await admin(['clients', 'show', 'root-admin', '--json'], env)).stdout).toContain('"status": "active"');
  });

  it('prints names with escape sequences and line breaks spelled out, never raw, in text and in --json', async () => {
    const name = 'Evil\u001b]0;pwned\u0007\u001b[2J\nforged-portal  active  configuration  Fake\r\u009b31m\u202eredro';
    writeFileSync(
      join(work, 'evil.json'),
      JSON.stringify({ client_id: 'evil-portal', client_name: name, redirect_uris: ['https://evil.example/cb'] }),
    );
    expect((await admin(['clients', 'create', '--file', 'evil.json'], env)).code).toBe(0);
    // eslint-disable-next-line no-control-regex -- what must not reach the terminal raw is exactly these characters.
    const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

    const [listed, shown, json, typed, unknown] = await Promise.all([
      admin(['clients', 'list'], env),
      admin(['clients', 'show', 'evil-portal'], env),
      admin(['clients', 'show', 'evil-portal', '--json'], env),
      admin(['clients', 'show', 'x\u001b[2J'], env),
      admin(['clients\u001b[31m', 'x'], {}),
    ]);
    expect(listed.stdout).not.toMatch(raw);
    const row = listed.stdout.split('\n').find((line) => line.startsWith('evil-portal'))!;
    expect(row).toContain(
      'Evil\\x1b]0;pwned\\x07\\x1b[2J\\x0aforged-portal  active  configuration  Fake\\x0d\\x9b31m\\u202eredro',
    );
    expect(listed.stdout.split('\n').filter((line) => line.startsWith('forged-portal'))).toEqual([]);
    expect(shown.stdout).not.toMatch(raw);
    expect(shown.stdout).toContain('\\x1b[2J');

    expect(json.stdout).not.toMatch(raw);
    expect(json.stdout).toContain('\\u009b');
    expect((JSON.parse(json.stdout) as { metadata: { client_name: string } }).metadata.client_name).toBe(name);

    expect(typed.code).toBe(1);
    expect(typed.stderr).not.toMatch(raw);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command: clients\\x1b[31m x');
  });

  it('runs as `npm run admin`, and says how to start the demo when none is running (exit 3)', async () => {
    const [viaNpm, none] = await Promise.all([
      admin(['--', 'clients', 'list'], env, ['npm', ['run', '-s', 'admin', '--prefix', ROOT]]),
      admin(['clients', 'list'], { PORT: '1', ADMIN_SOCKET: join(work, 'nobody.sock') }),
    ]);
    expect(viaNpm.code).toBe(0);
    expect(viaNpm.stdout).toMatch(/test-portal\s+active\s+configuration\s+Test portal/);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('No embedded broker is running on port 1');
    expect(none.stderr).toContain('npm start');
  });
});

describe('npm run admin against MongoDB and Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let mongo: Awaited<ReturnType<typeof startMongo>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    [redis, mongo] = await Promise.all([startRedis(), startMongo()]);
    env = {
      ...isolatedStoresEnv(redis.url, mongo.uri),
      SECRET_KEYS: 'cli-test-secret-key-0123456789abcdefghijkl',
      DEMO: 'false',
      NODE_ENV: 'test',
    };
  }, 60_000);
  afterAll(async () => {
    await redis.stop();
    await mongo.stop();
  });

  it('writes to the shared stores, where a broker on them finds it; a client it registers signs in with the secret it printed once', async () => {
    expect(
      (
        await admin(
          [
            'organisations',
            'create',
            '--account-number',
            'C-1',
            '--name',
            'Shared Org',
            '--kind',
            'customer',
            '--id',
            'org-shared',
          ],
          env,
        )
      ).code,
    ).toBe(0);
    const first = JSON.parse(
      (
        await admin(
          [
            'profiles',
            'create',
            '--organisation',
            'org-shared',
            '--email',
            'first@shared.example',
            '--name',
            'First',
            '--json',
          ],
          env,
        )
      ).stdout,
    ) as { role: string };
    expect(first.role).toBe('administrator');
    writeFileSync(
      join(work, 'service.json'),
      JSON.stringify({ client_id: 'svc-reports', grant_types: ['client_credentials'], scope: 'admin:audit' }),
    );
    const registered = await admin(['clients', 'create', '--file', 'service.json'], env);
    expect(registered.code).toBe(0);
    const secret = /client_secret: (\S+)/.exec(registered.stdout)![1]!;

    const broker = await startBroker({
      demo: { enabled: false },
      stores: { mongodbUri: env.MONGODB_URI, redisUrl: env.REDIS_URL, redisPrefix: env.REDIS_PREFIX },
      keys: { secretKeys: [env.SECRET_KEYS!] },
    });
    try {
      expect((await broker.services.admin.directory.getOrganisation('org-shared'))?.name).toBe('Shared Org');
      const token = await fetch(`${broker.issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`svc-reports:${secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin:audit' }),
      }).then((r) => r.json() as Promise<{ access_token?: string }>);
      const events = await fetch(`${broker.issuer}/admin/api/v1/audit/events?actor=${encodeURIComponent(operator)}`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      }).then((r) => r.json() as Promise<{ events: { action: string }[] }>);
      expect(events.events.map((e) => e.action)).toEqual(['client.created', 'profile.created', 'organisation.created']);
    } finally {
      await broker.close();
    }
  });

  it('refuses a client with a javascript:, data: or non-loopback http: redirect URI, writing nothing (exit 1)', async () => {
    const uris = ['javascript:alert(1)', 'data:text/html,hi', 'http://portal.example/cb'];
    const answers = await Promise.all(
      uris.map((uri, i) => {
        writeFileSync(
          join(work, `bad-${i}.json`),
          JSON.stringify({ client_id: 'bad-portal', client_name: 'Bad', redirect_uris: [uri] }),
        );
        return admin(['clients', 'create', '--file', `bad-${i}.json`], env);
      }),
    );
    uris.forEach((uri, i) => {
      const refused = answers[i]!;
      expect({ uri, code: refused.code }).toEqual({ uri, code: 1 });
      expect(refused.stderr).toMatch(/^error: invalid_(redirect_uri|client_metadata): /);
    });
    expect((await admin(['clients', 'show', 'bad-portal'], env)).code).toBe(1);
  });

  it('answers exit code 3 with the reason when the stores cannot be reached', async () => {
    const down = await admin(['organisations', 'list'], {
      ...env,
      MONGODB_URI: 'mongodb://127.0.0.1:1/none',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/error: service_unavailable: /);
  });
});
