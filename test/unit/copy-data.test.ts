import { describe, expect, it } from '@jest/globals';
import { copyData } from '../../src/shared/copy-data.ts';

describe('copying a stored record', () => {
  it('gives what structuredClone gives for plain data, sharing nothing with the original', () => {
    const record = {
      id: 'c1',
      at: new Date('2026-01-02T03:04:05Z'),
      count: 3,
      missing: undefined,
      nothing: null,
      flags: [true, false],
      nested: { uris: ['https://portal.example/cb'], deeper: { n: 1 } },
      bytes: new Uint8Array([1, 2, 3]),
    };
    const copy = copyData(record);
    expect(copy).toStrictEqual(structuredClone(record));
    expect(copy.at).not.toBe(record.at);
    expect(copy.nested.uris).not.toBe(record.nested.uris);
    expect(copy.bytes).not.toBe(record.bytes);
    copy.nested.deeper.n = 2;
    copy.flags.push(true);
    expect(record.nested.deeper.n).toBe(1);
    expect(record.flags).toEqual([true, false]);
  });

  it('passes primitives and undefined through', () => {
    expect(copyData(undefined)).toBeUndefined();
    expect(copyData('text')).toBe('text');
    expect(copyData(0)).toBe(0);
  });
});
