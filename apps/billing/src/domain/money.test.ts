import { describe, expect, it } from 'vitest';
import { moneyMinorSchema } from './money.js';

describe('money on the wire', () => {
  it('accepts integer minor units from 0 to 2^53 - 1', () => {
    for (const value of [0, 1, 12_345, Number.MAX_SAFE_INTEGER]) expect(moneyMinorSchema.safeParse(value).success).toBe(true);
  });

  it.each([
    ['a float', 10.5],
    ['a negative', -1],
    ['a string', '100'],
    ['Infinity (JSON 1e400)', JSON.parse('1e400')],
    ['-0', JSON.parse('-0')],
    ['2^53', 2 ** 53],
    ['NaN', Number.NaN],
    ['null', null],
  ])('refuses %s', (_label, value) => {
    expect(moneyMinorSchema.safeParse(value).success).toBe(false);
  });
});
