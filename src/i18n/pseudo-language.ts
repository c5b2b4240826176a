import { TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

/**
 * A pseudo-language (the tag Android and Chromium use for it) made from the English catalogue: every letter of the
 * catalogue's own text is swapped for an accented look-alike and every sentence is bracketed ⟦…⟧. A page in it shows
 * at a glance, and a test proves, that no text reaches a person without passing through a catalogue; values
 * (names, addresses) stay as they are.
 */
export const PSEUDO_LANGUAGE = 'en-XA';

const LOOK_ALIKES: Record<string, string> = Object.fromEntries(
  [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((letter, i) => [
    letter,
    [...'àƀçđéƒĝĥîĵķĺɱñöþǫŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ'][i]!,
  ]),
);

export const pseudoText = (text: string) => [...text].map((c) => LOOK_ALIKES[c] ?? c).join('');

export function pseudoMessage(elements: MessageFormatElement[]): MessageFormatElement[] {
  return [
    { type: TYPE.literal, value: '⟦' },
    ...swapLetters(elements),
    { type: TYPE.literal, value: '⟧' },
  ] as MessageFormatElement[];
}

function swapLetters(elements: MessageFormatElement[]): MessageFormatElement[] {
  return elements.map((element) => {
    if (element.type === TYPE.literal) return { ...element, value: pseudoText(element.value) };
    if (element.type === TYPE.tag) return { ...element, children: swapLetters(element.children) };
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      const options = Object.fromEntries(
        Object.entries(element.options).map(([name, option]) => [
          name,
          { ...option, value: swapLetters(option.value) },
        ]),
      );
      return { ...element, options } as MessageFormatElement;
    }
    return element;
  });
}
