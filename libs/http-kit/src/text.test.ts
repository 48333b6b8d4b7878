import { describe, expect, it } from 'vitest';
import { humanText } from './text.js';

describe('humanText', () => {
  const name = humanText().min(1).max(100);
  const bio = humanText({ multiline: true }).max(500);

  it.each([
    ['CR/LF (header and log injection)', 'Ann\r\nBcc: everyone@example.com'],
    ['a line feed', 'Ann\nSmith'],
    ['an ANSI escape sequence', 'Ann \u001b[31mred'],
    ['a right-to-left override (U+202E)', 'Ann \u202Egnp.exe'],
    ['a right-to-left isolate (U+2067)', 'Ann \u2067x'],
    ['a left-to-right embedding (U+202A)', '\u202AAnn'],
    ['a C1 control (U+0085)', 'Ann\u0085'],
    ['a line separator (U+2028)', 'Ann\u2028Smith'],
    ['DEL', 'Ann\u007f'],
    ['NUL', 'Ann\u0000'],
  ])('refuses %s in a one-line field', (_what, value) => {
    const result = name.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/control or bidirectional/);
  });

  it('takes real names in any script, trimmed', () => {
    for (const value of ['Zoë Ødegård', 'محمد علي', 'שרה כהן', '山田 太郎', "Seán O'Brien-Smith", 'Ana 👩‍💻']) {
      expect(name.parse(value)).toBe(value);
    }
    expect(name.parse('  Ann\n')).toBe('Ann');
  });

  it('lets multi-line text keep its line breaks and tabs, nothing else', () => {
    expect(bio.parse('Line one\r\nLine two\n\tindented')).toBe('Line one\r\nLine two\n\tindented');
    expect(bio.safeParse('a \u202E b').success).toBe(false);
    expect(bio.safeParse('a \u001b[2J').success).toBe(false);
    expect(humanText({ multiline: true, trim: false }).parse('  kept as typed \n')).toBe('  kept as typed \n');
  });
});
