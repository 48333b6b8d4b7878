import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent, type EventContract } from '../define-event.js';
import { eventEnvelopeSchema, invoiceIssuedV1, notificationFailedV1, userRegisteredV1 } from '../index.js';
import { toJsonSchema } from '../json-schema.js';
import { allEventContracts } from '../registry.js';
import { compareSchemas } from './compare-schemas.js';
import { checkSnapshots, describeReport, writeSnapshots } from './snapshots.js';

/** The changes between a contract's schema and an edited copy of it. */
const diff = (before: z.ZodType, after: z.ZodType) => compareSchemas(toJsonSchema(before), toJsonSchema(after));
const breaking = (before: z.ZodType, after: z.ZodType) => diff(before, after).filter((c) => c.breaking);

/** The registry with one contract's schema replaced: the same subject, another shape. */
const withSchema = (contract: EventContract, schema: z.ZodType) =>
  allEventContracts.map((c) => (c.type === contract.type ? defineEvent({ ...contract, schema }) : c));

describe('the repository', () => {
  it('every contract version matches its recorded schema (libs/contracts/schemas)', () => {
    expect(describeReport(checkSnapshots())).toEqual([]);
  });
});

describe('compareSchemas: breaking changes name the field', () => {
  const user = userRegisteredV1.schema;
  const invoice = invoiceIssuedV1.schema;

  it.each([
    ['a removed field', user, user.omit({ email: true }), 'email', /field "email" was removed/],
    ['a field made required', user.extend({ nickname: z.string().optional() }), user.extend({ nickname: z.string() }), 'nickname', /became required/],
    ['a field made optional', user, user.extend({ email: z.email().optional() }), 'email', /became optional/],
    ['a new required field', user, user.extend({ locale: z.string() }), 'locale', /new field "locale" is required/],
    ['a changed type', invoice, invoice.extend({ number: z.number() }), 'number', /type of field "number" changed from string to number/],
    ['a number narrowed to an integer', user.extend({ score: z.number() }), user.extend({ score: z.number().int() }), 'score', /changed from number to integer/],
    ['a lower maximum', invoice, invoice.extend({ number: z.string().min(1).max(20) }), 'number', /"number" was narrowed \(maxLength 50 → 20\)/],
    ['a higher minimum', invoice, invoice.extend({ number: z.string().min(3).max(50) }), 'number', /"number" was narrowed \(minLength 1 → 3\)/],
    ['a raised maximum', invoice, invoice.extend({ number: z.string().min(1).max(80) }), 'number', /"number" was widened/],
    ['a new pattern', invoice, invoice.extend({ number: z.string().min(1).max(50).regex(/^INV-/) }), 'number', /gained pattern/],
    ['a changed pattern', invoice, invoice.extend({ currency: z.string().regex(/^[A-Z]{3,4}$/) }), 'currency', /pattern of field "currency" changed/],
    ['a string turned into an enum', notificationFailedV1.schema, notificationFailedV1.schema.extend({ template: z.enum(['welcome']) }), 'template', /became an enum/],
    ['an enum value removed', user, user.extend({ role: z.enum(['user', 'admin']) }), 'role', /enum value "moderator" of field "role" was removed/],
    ['an enum value added', user, user.extend({ role: z.enum(['user', 'moderator', 'admin', 'owner']) }), 'role', /enum value "owner" was added/],
    ['a nested field removed', user.extend({ address: z.object({ city: z.string(), zip: z.string() }) }), user.extend({ address: z.object({ city: z.string() }) }), 'address.zip', /"address.zip" was removed/],
    ['an array item narrowed', user.extend({ tags: z.array(z.string()) }), user.extend({ tags: z.array(z.string().max(5)) }), 'tags[]', /"tags\[\]" was narrowed/],
  ])('%s', (_label, before, after, path, message) => {
    const changes = breaking(before, after);
    expect(changes.map((c) => c.path)).toContain(path);
    expect(changes.find((c) => c.path === path)?.message).toMatch(message);
  });

  it('a rename is a removal plus a new required field', () => {
    const renamed = userRegisteredV1.schema.omit({ fullName: true }).extend({ name: z.string().min(1).max(100) });
    expect(breaking(userRegisteredV1.schema, renamed).map((c) => c.path).sort()).toEqual(['fullName', 'name']);
  });
});

describe('compareSchemas: compatible changes pass', () => {
  it('an optional field added is reported, not breaking', () => {
    const changes = diff(userRegisteredV1.schema, userRegisteredV1.schema.extend({ locale: z.string().optional() }));
    expect(changes).toEqual([{ path: 'locale', breaking: false, message: 'optional field "locale" added' }]);
  });

  it('descriptions change nothing', () => {
    expect(diff(userRegisteredV1.schema, userRegisteredV1.schema.extend({ email: z.email().describe('where we write') }))).toEqual([]);
  });

  it('the same schema has no change', () => {
    for (const contract of allEventContracts) expect(diff(contract.schema, contract.schema)).toEqual([]);
  });
});

describe('recorded schemas (what npm test checks)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'contract-schemas-'));
    writeSnapshots({ dir });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fails a broken vN, names the field and asks for v(N+1) alongside', () => {
    const contracts = withSchema(userRegisteredV1, userRegisteredV1.schema.omit({ email: true }));
    const report = checkSnapshots({ dir, contracts });
    expect(report.breaking.map((f) => f.name)).toEqual(['users.user.registered.v1']);
    const lines = describeReport(report, contracts).join('\n');
    expect(lines).toMatch(/users\.user\.registered\.v1: breaking change/);
    expect(lines).toMatch(/field "email" was removed/);
    expect(lines).toMatch(/add users\.user\.registered\.v2 alongside it/);
  });

  it('does not record a breaking change unless told the version was never deployed', () => {
    const file = join(dir, 'users.user.registered.v1.json');
    const before = readFileSync(file, 'utf8');
    const contracts = withSchema(userRegisteredV1, userRegisteredV1.schema.extend({ role: z.enum(['user', 'admin']) }));
    expect(writeSnapshots({ dir, contracts })).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(checkSnapshots({ dir, contracts }).breaking).toHaveLength(1);
    expect(writeSnapshots({ dir, contracts, acceptBreaking: true })).toEqual(['users.user.registered.v1']);
    expect(describeReport(checkSnapshots({ dir, contracts }), contracts)).toEqual([]);
  });

  it('passes an additive change, which one command records', () => {
    const contracts = withSchema(invoiceIssuedV1, invoiceIssuedV1.schema.extend({ poNumber: z.string().max(50).optional() }));
    const report = checkSnapshots({ dir, contracts });
    expect(report.breaking).toEqual([]);
    expect(report.unrecorded.map((f) => f.name)).toEqual(['billing.invoice.issued.v1']);
    expect(describeReport(report, contracts).join('\n')).toMatch(/compatible change not recorded yet \(optional field "poNumber" added\): run `npm run contracts:snapshot`/);
    expect(writeSnapshots({ dir, contracts })).toEqual(['billing.invoice.issued.v1']);
    expect(describeReport(checkSnapshots({ dir, contracts }), contracts)).toEqual([]);
  });

  it('reports a new contract without a recorded schema, and a recorded one whose contract is gone', () => {
    const v2 = defineEvent({ source: 'users', entity: 'user', action: 'registered', version: 2, schema: z.object({ userId: z.uuid() }) });
    const contracts = [...allEventContracts.filter((c) => c !== notificationFailedV1), v2];
    const report = checkSnapshots({ dir, contracts });
    expect(report.missing).toEqual(['users.user.registered.v2']);
    expect(report.orphaned).toEqual(['notifications.notification.failed.v1']);
    expect(describeReport(report, contracts).join('\n')).toMatch(/delete libs\/contracts\/schemas\/notifications\.notification\.failed\.v1\.json/);
  });

  it('guards the envelope too', () => {
    const envelope = eventEnvelopeSchema.omit({ correlationId: true });
    const lines = describeReport(checkSnapshots({ dir, envelope })).join('\n');
    expect(lines).toMatch(/envelope: breaking change/);
    expect(lines).toMatch(/field "correlationId" was removed/);
    expect(lines).toMatch(/shared by every event/);
    expect(checkSnapshots({ dir: join(dir, 'nowhere') }).missing).toContain('envelope');
  });
});
