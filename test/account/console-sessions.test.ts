import { describe, expect, it } from '@jest/globals';
import { createManualClock } from '../../src/shared/clock.ts';
import { Browser } from '../support/browser.ts';
import { startBroker } from '../support/broker.ts';
import { signInUpstream } from '../support/flows.ts';

// On memory stores, whose clock the test moves (Redis keeps time of its own).
describe("the account console's sessions", () => {
  it('keeps a session nobody signed in to for 10 minutes, a signed-in one for 8 hours', async () => {
    const clock = createManualClock(new Date());
    const own = await startBroker({}, { clock });
    try {
      const sessionId = async (browser: Browser) =>
        (await browser.cookie(`${own.issuer}/account`, 'account_console'))!.value;
      const anonymous = new Browser();
      await anonymous.request(`${own.issuer}/account/sign-in`);
      const pending = await sessionId(anonymous);
      const person = new Browser();
      await signInUpstream(person, await person.go(`${own.issuer}/account`), 'alice');
      const signedIn = await sessionId(person);

      clock.advance(11 * 60_000);
      expect(await own.services.accountConsole.sessions.get(pending)).toBeUndefined();
      expect(await own.services.accountConsole.sessions.get(signedIn)).toMatchObject({ signedIn: expect.any(Object) });
      clock.advance(8 * 3600_000);
      expect(await own.services.accountConsole.sessions.get(signedIn)).toBeUndefined();
    } finally {
      await own.close();
    }
  });
});
