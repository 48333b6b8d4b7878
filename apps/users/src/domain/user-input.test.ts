import { describe, expect, it } from 'vitest';
import { canonicalLanguageTag, containsPattern, emailSchema, fullNameSchema, isTimeZone, profilePatchSchema } from './user-input.js';

describe('e-mail', () => {
  it('is trimmed and lower-cased before it is checked', () => {
    expect(emailSchema.parse('  Ada@Example.ORG ')).toBe('ada@example.org');
  });
  it.each(['no-at-sign', 'a@', '@b.org', `${'a'.repeat(250)}@b.org`, 'a\u0000@b.org'])('refuses %j', (email) => {
    expect(emailSchema.safeParse(email).success).toBe(false);
  });
});

describe('full name', () => {
  it('is trimmed, 1..100 characters', () => {
    expect(fullNameSchema.parse('  Ada  ')).toBe('Ada');
    expect(fullNameSchema.safeParse('   ').success).toBe(false);
    expect(fullNameSchema.safeParse('x'.repeat(100)).success).toBe(true);
    expect(fullNameSchema.safeParse('x'.repeat(101)).success).toBe(false);
    expect(fullNameSchema.safeParse('Ada\nLovelace').success).toBe(false);
    expect(fullNameSchema.safeParse('Ada \u202Eecalevol').success).toBe(false);
    expect(fullNameSchema.parse('  Zoë Ødegård  ')).toBe('Zoë Ødegård');
  });
});

describe('profile', () => {
  it('knows real IANA zones and UTC only', () => {
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('Europe/Kyiv')).toBe(true);
    expect(isTimeZone('+05:00')).toBe(false);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('europe/paris')).toBe(false);
  });

  it('canonicalises BCP 47 tags and refuses others', () => {
    expect(canonicalLanguageTag('en')).toBe('en');
    expect(canonicalLanguageTag('pt-br')).toBe('pt-BR');
    expect(canonicalLanguageTag('zh-hant-tw')).toBe('zh-Hant-TW');
    expect(canonicalLanguageTag('not a tag')).toBeUndefined();
    expect(canonicalLanguageTag('')).toBeUndefined();
    expect(profilePatchSchema.parse({ language: 'de-at' })).toEqual({ language: 'de-AT' });
  });

  it('takes http(s) avatar URLs only, and nulls to clear', () => {
    expect(profilePatchSchema.safeParse({ avatarUrl: 'https://cdn.example.com/a.png' }).success).toBe(true);
    expect(profilePatchSchema.safeParse({ avatarUrl: null, bio: null, phone: null }).success).toBe(true);
    for (const avatarUrl of ['javascript:alert(1)', 'data:image/png;base64,AAAA', 'ftp://x.org/a', 'https://']) {
      expect(profilePatchSchema.safeParse({ avatarUrl }).success).toBe(false);
    }
  });

  it('rejects unknown fields', () => {
    expect(profilePatchSchema.safeParse({ website: 'x' }).success).toBe(false);
  });
});

describe('search pattern', () => {
  it('escapes LIKE wildcards and the escape character, then matches anywhere', () => {
    expect(containsPattern('ada')).toBe('%ada%');
    expect(containsPattern('100%_off')).toBe('%100\\%\\_off%');
    expect(containsPattern('a\\b')).toBe('%a\\\\b%');
  });
});
