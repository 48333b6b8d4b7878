import * as z from 'zod';

// C0 controls but tab, LF and CR; DEL; C1 controls. Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// Tab, line breaks (CR, LF, NEL, line and paragraph separators): not in a one-line field.
const LINE_BREAK = /[\t\n\r\u0085\u2028\u2029]/;
// Bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): they reorder
// what a reader sees ("Trojan Source"), e.g. a name that displays as something it is not.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

export const TEXT_CONTROL_MESSAGE = 'must not contain control or bidirectional formatting characters';

/** Whether `value` is fit to show to other people (in a page, a list, an e-mail): no control or bidi-override character. */
export function isDisplaySafe(value: string, { multiline = false }: { multiline?: boolean } = {}): boolean {
  return !CONTROL.test(value) && !BIDI_CONTROL.test(value) && (multiline || !LINE_BREAK.test(value));
}

/**
 * Text a person typed for others to read (a name, a company, a bio, an invoice line): trimmed
 * (unless `trim: false`), then refused (400) if it holds control characters (CR/LF, escape
 * sequences, NUL, C1) or bidi embedding/override/isolate characters. `multiline` lets tab, CR
 * and LF through (a bio, a description). Chain `.min()` / `.max()` after it.
 */
export function humanText({ multiline = false, trim = true }: { multiline?: boolean; trim?: boolean } = {}) {
  const text = trim ? z.string().trim() : z.string();
  return text.refine((value) => isDisplaySafe(value, { multiline }), TEXT_CONTROL_MESSAGE);
}
