import { describe, expect, it } from '@jest/globals';
import { maskAccount, maskEmail } from '../../src/association/mask.ts';

describe('how an upstream account is named to people and support', () => {
  it("shows an email's first and last character before the @, and its whole domain", () => {
    expect(maskAccount({ email: 'alice@outlook.com', subject: 'sub-1234' })).toBe('a***e@outlook.com');
    expect(maskAccount({ email: 'abc@x.example', subject: 'sub-1234' })).toBe('a***c@x.example');
  });

  it('shows only the first character of a local part of one or two, so nothing of it is given whole', () => {
    expect(maskAccount({ email: 'al@outlook.com', subject: 'sub-1234' })).toBe('a***@outlook.com');
    expect(maskAccount({ email: 'a@outlook.com', subject: 'sub-1234' })).toBe('a***@outlook.com');
    expect(maskAccount({ email: '@outlook.com', subject: 'sub-1234' })).toBe('***@outlook.com');
  });

  it('names an account without a usable email by the last four characters of its subject', () => {
    expect(maskAccount({ subject: 'demo-0004-dave' })).toBe('account …dave');
    expect(maskAccount({ email: 'not an address', subject: 'AAAAbcdef' })).toBe('account …cdef');
    expect(maskAccount({ email: '', subject: 'xy' })).toBe('account …xy');
  });

  it('masks an address shown in a notice the same way, whatever its domain', () => {
    expect(maskEmail('erin.new@fabrikam.example')).toBe('e***w@fabrikam.example');
    expect(maskEmail('ab@x.example')).toBe('a***@x.example');
  });
});
