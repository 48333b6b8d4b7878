/** docs/contract.md §2: JSON nested deeper than this is a 400. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether a JSON text opens more than `max` objects/arrays inside one another. One pass, no
 * recursion and no parsing, so it is safe to run on any body before anything recursive does
 * (the NUL guard, validation, serialisation would overflow the stack on `[[[[...]]]]`). Works
 * on raw bytes too: `"`, `\`, brackets and braces are ASCII and never part of a multi-byte UTF-8
 * sequence. Malformed JSON is left to the parser.
 */
export function jsonNestingExceeds(text: string | Uint8Array, max = MAX_JSON_DEPTH): boolean {
  // Two copies of one loop: indexing a string and a byte array through one accessor costs ~10× more.
  let depth = 0;
  let inString = false;
  if (typeof text === 'string') {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === BACKSLASH) i++;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++depth > max) return true;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    }
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

export const TOO_DEEP_MESSAGE = `JSON must not be nested deeper than ${MAX_JSON_DEPTH} levels`;
