import type { Catalogue } from './catalogue.ts';

/**
 * The support desk as configured, named in the reader's language when the configuration gives it no name: pages and
 * emails say "Contact the support desk at …" in English and "Wenden Sie sich an den Support unter …" in German.
 */
export function withSupportName(catalogue: Catalogue, context: Record<string, unknown>): Record<string, unknown> {
  const support = context.support as { name?: string; email: string } | undefined;
  if (!support || support.name || typeof context.language !== 'string') return context;
  return { ...context, support: { ...support, name: catalogue.text(context.language, 'layout.supportDesk') } };
}
