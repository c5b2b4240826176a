import type { Catalogue } from './catalogue.ts';

/**
 * A profile kind as a word of `language`. Kinds are the operator's (directory/profile-kinds.ts): one without a
 * catalogue word (`profile.kind.<kind>`) reads as itself.
 */
export function kindWord(catalogue: Catalogue, language: string, kind: unknown): string {
  const key = `profile.kind.${String(kind)}`;
  return catalogue.has(key) ? catalogue.text(language, key) : String(kind);
}
