import { describe, expect, it } from '@jest/globals';
import { countTemplates } from '../../src/i18n/count-templates.ts';

describe('count templates', () => {
  it('gives one template per plural category of the language, with "#" for the number', () => {
    const english = (n: number) => (n === 1 ? `in ${n} second` : `in ${n} seconds`);
    expect(countTemplates('en', english)).toEqual({ one: 'in # second', other: 'in # seconds' });
  });

  it('covers languages with more categories than English (Polish: one, few and many for whole numbers)', () => {
    const rules = new Intl.PluralRules('pl');
    const words: Record<string, string> = { one: 'sekundę', few: 'sekundy', many: 'sekund', other: 'sekundy' };
    const polish = (n: number) => `za ${n} ${words[rules.select(n)]}`;
    const templates = countTemplates('pl', polish);
    expect(Object.keys(templates).sort()).toEqual(['few', 'many', 'one']);
    expect(templates.many).toBe('za # sekund');
    expect(templates.few).toBe('za # sekundy');
  });

  it('takes out the number only, not other numbers in the sentence', () => {
    const templates = countTemplates('en', (n) => `Step 2 of 3: wait ${n} s (${n === 1 ? 'one' : 'some'})`);
    expect(templates.one).toBe('Step 2 of 3: wait # s (one)');
    expect(templates.other).toBe('Step 2 of 3: wait # s (some)');
  });
});
