/**
 * Characters a terminal must not receive raw from data: C0 controls (ESC, line breaks, carriage return, backspace),
 * DEL, C1 controls (CSI among them), and the Unicode line separators and bidirectional overrides that can move or
 * hide text. A client or profile name is anyone's input; printed raw, it could rewrite the screen, forge lines of
 * output, or set the terminal's title.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are what gets escaped.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves raw (it escapes C0 itself). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

/** Text as a terminal may show it: every unsafe character spelled out (ESC as \x1b, a line break as \x0a). */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => (c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/** Every string in a result (keys included) made printable; the shape stays, so the text layouts work unchanged. */
export function printableValues<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => printableValues(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [printable(k), printableValues(v)])) as T;
  }
  return value;
}

/** JSON for a terminal: the same value when parsed, with nothing unsafe left raw (escaped as \uXXXX). */
export function printableJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}
