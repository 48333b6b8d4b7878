import * as z from 'zod';
import { defineEvent } from '../define-event.js';
import { currencySchema, isoDateSchema, moneyMinorSchema, uuidSchema } from '../primitives.js';

export const accountCreatedV1 = defineEvent({
  source: 'billing',
  entity: 'account',
  action: 'created',
  version: 1,
  schema: z.object({ accountId: uuidSchema, userId: uuidSchema, currency: currencySchema }),
});

export const invoiceIssuedV1 = defineEvent({
  source: 'billing',
  entity: 'invoice',
  action: 'issued',
  version: 1,
  schema: z.object({
    invoiceId: uuidSchema,
    number: z.string().min(1).max(50),
    accountId: uuidSchema,
    userId: uuidSchema,
    currency: currencySchema,
    totalMinor: moneyMinorSchema,
    dueDate: isoDateSchema,
  }),
});

export const paymentReceivedV1 = defineEvent({
  source: 'billing',
  entity: 'payment',
  action: 'received',
  version: 1,
  schema: z.object({
    paymentId: uuidSchema,
    invoiceId: uuidSchema,
    userId: uuidSchema,
    amountMinor: moneyMinorSchema,
    currency: currencySchema,
  }),
});

export const invoicePaidV1 = defineEvent({
  source: 'billing',
  entity: 'invoice',
  action: 'paid',
  version: 1,
  schema: z.object({
    invoiceId: uuidSchema,
    userId: uuidSchema,
    currency: currencySchema,
    totalMinor: moneyMinorSchema,
  }),
});

export const invoiceVoidedV1 = defineEvent({
  source: 'billing',
  entity: 'invoice',
  action: 'voided',
  version: 1,
  schema: z.object({ invoiceId: uuidSchema, userId: uuidSchema }),
});
