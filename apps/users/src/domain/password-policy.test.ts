import { describe, expect, it } from 'vitest';
import { passwordProblems, passwordSchema, presentedPasswordSchema } from './password-policy.js';

describe('password policy', () => {
  it.each(['Passw0rd', 'Ünïcödé-Pässw0rd', `Aa1${'x'.repeat(125)}`])('accepts %s', (password) => {
    expect(passwordSchema.safeParse(password).success).toBe(true);
  });

  it.each([
    ['too short', 'Pass0rd', /at least 8/],
    ['too long', `Aa1${'x'.repeat(126)}`, /at most 128/],
    ['no upper case', 'passw0rd', /upper-case/],
    ['no lower case', 'PASSW0RD', /lower-case/],
    ['no digit', 'Password', /digit/],
    ['a NUL character', 'Passw0rd\u0000', /NUL/],
  ])('refuses a password with %s', (_name, password, message) => {
    expect(passwordProblems(password).join(' ')).toMatch(message);
  });

  it('presented passwords are only bounded (old ones may predate the policy)', () => {
    expect(presentedPasswordSchema.safeParse('weak').success).toBe(true);
    expect(presentedPasswordSchema.safeParse('').success).toBe(false);
    expect(presentedPasswordSchema.safeParse('x'.repeat(129)).success).toBe(false);
    expect(presentedPasswordSchema.safeParse('a\u0000').success).toBe(false);
  });
});
