/**
 * A counted sentence ("You can ask again in 12 seconds") as one template per plural category of `language`, with
 * `#` where the number goes, for a page's script to count down in the reader's language without a catalogue of its
 * own: the script picks the category with `Intl.PluralRules` and puts the number in.
 *
 * Each template is the catalogue's own sentence, formatted for a number of that category and with that number taken
 * out again (its first appearance as a whole number). Numbers of two digits or more are preferred, so that another number
 * in the sentence is not taken for it; a category only small numbers belong to (English "one") uses its smallest.
 */
export function countTemplates(language: string, format: (count: number) => string): Record<string, string> {
  const rules = new Intl.PluralRules(language);
  const samples = new Map<string, number>();
  for (let n = 0; n < 1000; n++) {
    const category = rules.select(n);
    if (!samples.has(category) || (samples.get(category)! < 10 && n >= 10)) samples.set(category, n);
  }
  const templates: Record<string, string> = {};
  for (const [category, n] of samples) {
    const number = new RegExp(`(?<![\\d.,])${n}(?![\\d.,]\\d|\\d)`);
    templates[category] = format(n).replace(number, '#');
  }
  return templates;
}
