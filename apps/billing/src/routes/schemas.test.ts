import { compiledOutput, envelope, pagedEnvelope } from '@platform/http-kit';
import { describe, expect, it } from 'vitest';
import { Account, Invoice, Payment } from './schemas.js';

describe('billing response schemas', () => {
  // The hot reads' bodies are checked by the compiled validator (http-kit output-serializer.ts), not zod's slower path.
  it.each([
    ['an invoice', envelope(Invoice)],
    ['a page of invoices', pagedEnvelope(Invoice)],
    ['an account', envelope(Account)],
    ['a payment', envelope(Payment)],
  ])('%s takes the compiled output check', (_name, schema) => {
    expect(compiledOutput(schema)).not.toBeNull();
  });
});
