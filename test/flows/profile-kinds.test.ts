import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { operatorActor } from '../../src/clients/admin-scopes.ts';
import { Browser } from '../support/browser.ts';
import { startBroker, TEST_PORTAL, type TestBroker } from '../support/broker.ts';
import { authorize, signIn, signInUpstream } from '../support/flows.ts';
import { createPortal, type Portal } from '../support/portal.ts';

/** A portal for partners and the operator's own employees, as the demo's partner portal. */
const STAFF_PORTAL = {
  ...TEST_PORTAL,
  client_id: 'staff-portal',
  client_name: 'Staff portal',
  redirect_uris: ['https://staff.example/cb'],
  post_logout_redirect_uris: ['https://staff.example/'],
  profile_kinds: ['partner', 'employee'],
  contract_required: false,
};

/** The shipped kinds, and one of the operator's own without words in the catalogues. */
const KINDS = ['customer', 'partner', 'employee', 'contractor'];

let broker: TestBroker;
let customerPortal: Portal;
let staffPortal: Portal;

// Grace (demo account `grace`) is the administrator of Proseware Inc, an organisation of employees.
beforeAll(async () => {
  broker = await startBroker({ clients: [TEST_PORTAL, STAFF_PORTAL], directory: { profileKinds: KINDS } });
  customerPortal = await createPortal(broker.issuer);
  staffPortal = await createPortal(broker.issuer, STAFF_PORTAL);
});
afterAll(() => broker.close());

describe('profile kinds at sign-in', () => {
  it('signs an employee in to a portal that admits employees, the kind in the token', async () => {
    const { claims } = await signIn(new Browser(), staffPortal, 'grace');
    expect(claims).toMatchObject({ sub: 'prf-grace-proseware', profile_kind: 'employee', org_name: 'Proseware Inc' });
  });

  it('tells an employee that a customer portal is not open to employee profiles, in their language', async () => {
    const browser = new Browser();
    const { page } = await authorize(browser, customerPortal);
    const refused = await signInUpstream(browser, page, 'grace', { stopAt: [customerPortal.redirectUri] });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Test portal is not open to employee profiles.');
    expect(refused.$('ul.refused, .meta').text()).toContain('employee');

    const german = new Browser();
    const { page: seite } = await authorize(german, customerPortal, { ui_locales: 'de' });
    const abgelehnt = await signInUpstream(german, seite, 'grace', { stopAt: [customerPortal.redirectUri] });
    expect(abgelehnt.text).toContain('Test portal steht Profilen der Art „Mitarbeiter“ nicht offen.');
  });

  it('shows a kind of the operator’s own, which has no catalogue word, as the kind itself', async () => {
    await broker.services.admin.directory.updateOrganisation(operatorActor('ops'), 'org-proseware', {
      accountNumber: 'E-300125',
      name: 'Proseware Inc',
      kind: 'contractor',
      contractEndsOn: '2099-12-31',
    });
    try {
      const browser = new Browser();
      const { page } = await authorize(browser, staffPortal);
      const refused = await signInUpstream(browser, page, 'grace', { stopAt: [staffPortal.redirectUri] });
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('Staff portal is not open to contractor profiles.');
      expect(refused.$('.meta').text()).toContain('contractor');
    } finally {
      await broker.services.admin.directory.updateOrganisation(operatorActor('ops'), 'org-proseware', {
        accountNumber: 'E-300125',
        name: 'Proseware Inc',
        kind: 'employee',
        contractEndsOn: '2099-12-31',
      });
    }
  });
});
