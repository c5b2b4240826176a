import { describe, expect, it } from '@jest/globals';
import { askingAccount } from '../../src/association/asking-account.ts';
import { maskAccount } from '../../src/association/mask.ts';

describe('how a link email names the account that asked', () => {
  it('masks the upstream email exactly as the association notice does', () => {
    const identity = { email: 'alice@example.com', name: 'Alice', subject: 'sub-1234' };
    expect(askingAccount(identity)).toBe('a***e@example.com');
    expect(askingAccount(identity)).toBe(maskAccount(identity));
  });

  it('falls back to the display name on one line, cut when long, and never to the bare subject', () => {
    expect(askingAccount({ name: 'Dave  Davies', subject: 'demo-0004-dave' })).toBe('Dave Davies');
    expect(askingAccount({ email: 'not an address', name: 'Line\r\nBreak\u0007', subject: 's' })).toBe('Line Break');
    expect(askingAccount({ name: 'x'.repeat(100), subject: 's' })).toBe(`${'x'.repeat(63)}…`);
  });

  it('names nobody when the upstream gave neither an email nor a name', () => {
    expect(askingAccount({ subject: 'demo-0004-dave' })).toBeUndefined();
    expect(askingAccount({ email: '', name: '  ', subject: 'demo-0004-dave' })).toBeUndefined();
  });
});
