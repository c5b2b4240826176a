import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const ROOT = join(import.meta.dirname, '..', '..');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });

describe('page text lives in views/', () => {
  it('has a message template for every error code the broker throws', () => {
    const codes = new Set<string>([
      'flow_expired',
      'internal_error',
      'not_found',
      'bad_request',
      'bad_address',
      'too_large',
    ]);
    for (const file of files(join(ROOT, 'src'))) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/new (?:AppError\(\d+, |\w+Error\()'([a-z_]+)'/g)) codes.add(match[1]!);
    }
    const missing = [...codes].filter((code) => !existsSync(join(ROOT, 'views', 'errors', 'messages', `${code}.hbs`)));
    expect(codes.size).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });
});
