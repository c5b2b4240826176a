import { describe, expect, it } from '@jest/globals';
import { isInternalAddress, outboundUrlProblem } from '../../src/shared/outbound-url.ts';
import { payloadOf, WEBHOOK_EVENT_TYPES } from '../../src/webhooks/webhook-events.ts';
import { createWebhook, type ManageWebhooksDeps } from '../../src/webhooks/manage-webhooks.ts';
import { createMemoryWebhookStore } from '../../src/stores/memory/webhook-store.ts';
import { createMemoryAuditLog } from '../../src/stores/memory/audit-log.ts';
import { operatorActor } from '../../src/clients/admin-scopes.ts';
import { sendWebhook } from '../../src/webhooks/send-webhook.ts';

const production = {
  production: true,
  resolve: async (host: string) => (host === 'inside.example' ? ['10.1.2.3'] : ['93.184.215.14']),
};

describe('where webhooks may be sent', () => {
  it('in production refuses loopback, link-local, private and local-network hosts, and plain http', async () => {
    for (const url of [
      'http://portal.example/hook',
      'https://127.0.0.1/hook',
      'https://[::1]/hook',
      'https://localhost/hook',
      'https://api.localhost/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.5/hook',
      'https://172.20.1.1/hook',
      'https://192.168.1.10/hook',
      'https://100.64.0.1/hook',
      'https://[fe80::1]/hook',
      'https://[fd00::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://0.0.0.0/hook',
      'https://intranet/hook',
      'https://printer.local/hook',
      'https://inside.example/hook',
      'https://user:pw@portal.example/hook',
      'javascript:alert(1)',
      'not a url',
    ])
      expect({ url, problem: await outboundUrlProblem(url, production) }).toEqual({ url, problem: expect.any(String) });
    expect(await outboundUrlProblem('https://portal.example/hooks?token=abc', production)).toBeUndefined();
    expect(await outboundUrlProblem('https://93.184.215.14/hook', production)).toBeUndefined();
  });

  it('outside production takes http on localhost, for the demo and tests', async () => {
    expect(await outboundUrlProblem('http://127.0.0.1:8080/hook', { production: false })).toBeUndefined();
    expect(await outboundUrlProblem('ftp://127.0.0.1/hook', { production: false })).toEqual(expect.any(String));
  });

  it('knows internal addresses in both families', () => {
    expect(
      ['127.0.0.1', '::1', '10.9.9.9', '169.254.1.1', 'fe80::abcd', '::ffff:192.168.0.1'].every(isInternalAddress),
    ).toBe(true);
    expect(['93.184.215.14', '2606:2800:220:1::'].some(isInternalAddress)).toBe(false);
  });

  it('refuses a subscription to an internal address at registration, in production', async () => {
    const deps: ManageWebhooksDeps = {
      store: createMemoryWebhookStore(),
      audit: createMemoryAuditLog(),
      clock: { now: () => new Date() },
      subscriptions: { active: async () => [], invalidate: () => undefined },
      wake: async () => undefined,
      ...production,
    };
    await expect(createWebhook(deps, operatorActor('ops'), { url: 'https://169.254.169.254/x' })).rejects.toMatchObject(
      {
        status: 400,
        code: 'webhook_url_refused',
      },
    );
    await expect(createWebhook(deps, operatorActor('ops'), { url: 'https://inside.example/x' })).rejects.toMatchObject({
      code: 'webhook_url_refused',
    });
    expect(await deps.store.listSubscriptions()).toEqual([]);
  });

  it('does not connect to an internal address in production, whatever was registered', async () => {
    const result = await sendWebhook('https://127.0.0.1:9/hook', {}, '{}', { timeoutMs: 1000, refuseInternal: true });
    expect(result).toEqual({ ok: false, error: 'refused: an internal address' });
  });
});

describe('what a payload carries', () => {
  it('ids and small facts, never link ids, mail references, sessions or actors by name', () => {
    const payload = payloadOf({
      id: 'AAAA-BBBB-CCCC',
      at: new Date('2026-01-15T10:00:00Z'),
      action: 'association.invited',
      outcome: 'success',
      actor: 'person:demo:demo-0001-alice',
      ip: '203.0.113.9',
      organisationId: 'org-contoso',
      profileId: 'prf-erin-contoso',
      clientId: 'customer-portal',
      details: {
        link: 'lnk-secretish',
        mail: 'REF',
        session: 'sess-1',
        expiresAt: '2026-01-16T10:00:00Z',
        email: 'a@b.example',
      },
    });
    expect(payload).toEqual({
      type: 'invitation.sent',
      timestamp: '2026-01-15T10:00:00.000Z',
      data: {
        outcome: 'success',
        actor_type: 'person',
        profile_id: 'prf-erin-contoso',
        organisation_id: 'org-contoso',
        client_id: 'customer-portal',
        expires_at: '2026-01-16T10:00:00Z',
      },
    });
    expect(
      payloadOf({ id: 'x', at: new Date(), action: 'association.link_issued', outcome: 'success', actor: 'system' }),
    ).toBeUndefined();
    expect(WEBHOOK_EVENT_TYPES).toHaveLength(12);
  });
});
