import { invoiceIssuedV1, invoicePaidV1, invoiceVoidedV1 } from '@platform/contracts';
import { withTransaction, type DbOrTx } from '@platform/db-kit';
import {
  created,
  envelope,
  errorResponses,
  humanText,
  notFound,
  ok,
  page,
  pagedEnvelope,
  paginationQuery,
  requireAuth,
  requireRole,
  unprocessable,
  type HttpApp,
} from '@platform/http-kit';
import { enqueueEvent } from '@platform/messaging';
import { z } from 'zod';
import { accountRepository } from '../data/account-repository.js';
import { invoiceRepository, type InvoiceWithLines } from '../data/invoice-repository.js';
import { amountDue, computeInvoiceTotals, formatInvoiceNumber } from '../domain/invoice-totals.js';
import { transition } from '../domain/invoice-status.js';
import { moneyMinorSchema } from '../domain/money.js';
import { idParams, isAdmin, iso } from './access.js';

const statuses = ['draft', 'issued', 'paid', 'void'] as const;

const Line = z.object({ description: z.string(), quantity: z.number().int(), unitAmountMinor: z.number().int(), amountMinor: z.number().int() });

export const Invoice = z.object({
  id: z.uuid(),
  number: z.string(),
  accountId: z.uuid(),
  userId: z.uuid(),
  status: z.enum(statuses),
  currency: z.string(),
  lines: z.array(Line),
  totalMinor: z.number().int(),
  amountPaidMinor: z.number().int(),
  amountDueMinor: z.number().int(),
  dueDate: z.string(),
  issuedAt: z.string().nullable(),
  paidAt: z.string().nullable(),
  createdAt: z.string(),
});

const LineInput = z.strictObject({
  // Shown to the customer and in the e-mail about the invoice.
  description: humanText({ multiline: true }).min(1).max(500),
  quantity: z.number().int().min(1).max(10_000),
  unitAmountMinor: moneyMinorSchema.max(10_000_000_000),
});

/** Everything else (number, status, totals, userId, currency) is the service's to set: unknown → 400. */
const CreateInvoiceBody = z.strictObject({
  accountId: z.uuid(),
  dueDate: z.iso.date(),
  lines: z.array(LineInput).min(1).max(100),
});

const ListQuery = paginationQuery.extend({ status: z.enum(statuses).optional() });

export const toInvoice = (invoice: InvoiceWithLines) => ({
  id: invoice.id,
  number: invoice.number,
  accountId: invoice.accountId,
  userId: invoice.userId,
  status: invoice.status,
  currency: invoice.currency,
  lines: invoice.lines,
  totalMinor: invoice.totalMinor,
  amountPaidMinor: invoice.amountPaidMinor,
  amountDueMinor: amountDue(invoice.totalMinor, invoice.amountPaidMinor),
  dueDate: invoice.dueDate,
  issuedAt: iso(invoice.issuedAt),
  paidAt: iso(invoice.paidAt),
  createdAt: iso(invoice.createdAt) as string,
});

const adminAction = (summary: string) => ({
  onRequest: [requireRole('admin')],
  schema: { tags: ['billing'], summary, params: idParams, response: { 200: envelope(Invoice), ...errorResponses(400, 401, 403, 404, 422) } },
});

export function invoiceRoutes(app: HttpApp, db: DbOrTx): void {
  app.post(
    '/api/v1/billing/invoices',
    {
      onRequest: [requireRole('admin')],
      schema: {
        tags: ['billing'],
        summary: 'Create a draft invoice for an account (admin); totals and number are computed',
        body: CreateInvoiceBody,
        response: { 201: envelope(Invoice), ...errorResponses(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const { accountId, dueDate, lines } = request.body;
      const totals = computeInvoiceTotals(lines);
      if (!totals.ok) throw unprocessable(totals.reason);
      const invoice = await withTransaction(db, async (tx) => {
        const account = await accountRepository(tx).findById(accountId);
        if (!account) throw unprocessable('No billing account with this id');
        const invoices = invoiceRepository(tx);
        const number = formatInvoiceNumber(await invoices.nextNumber());
        return invoices.insert(
          { number, accountId, userId: account.userId, currency: account.currency, totalMinor: totals.totalMinor, dueDate },
          totals.lines,
        );
      });
      return created(reply, toInvoice(invoice), 'Draft invoice created');
    },
  );

  app.post('/api/v1/billing/invoices/:id/issue', adminAction('Issue a draft invoice (admin)'), async (request, reply) => {
    const invoice = await withTransaction(db, async (tx) => {
      const invoices = invoiceRepository(tx);
      const current = await invoices.lock(request.params.id);
      if (!current) throw notFound('Invoice not found');
      const step = transition(current, 'issue');
      if (!step.ok) throw unprocessable(step.reason);
      const now = new Date();
      // An invoice of nothing is settled the moment it is issued.
      const settled = current.totalMinor === 0;
      const issued = await invoices.update(current.id, { status: settled ? 'paid' : 'issued', issuedAt: now, paidAt: settled ? now : null });
      const correlationId = request.id;
      await enqueueEvent(
        tx,
        invoiceIssuedV1,
        { invoiceId: issued.id, number: issued.number, accountId: issued.accountId, userId: issued.userId, currency: issued.currency, totalMinor: issued.totalMinor, dueDate: issued.dueDate },
        { correlationId },
      );
      if (settled) {
        await enqueueEvent(tx, invoicePaidV1, { invoiceId: issued.id, userId: issued.userId, currency: issued.currency, totalMinor: 0 }, { correlationId });
      }
      return issued;
    });
    return ok(reply, toInvoice(invoice), 'Invoice issued');
  });

  app.post('/api/v1/billing/invoices/:id/void', adminAction('Void a draft or issued invoice without payments (admin)'), async (request, reply) => {
    const invoice = await withTransaction(db, async (tx) => {
      const invoices = invoiceRepository(tx);
      const current = await invoices.lock(request.params.id);
      if (!current) throw notFound('Invoice not found');
      const step = transition(current, 'void');
      if (!step.ok) throw unprocessable(step.reason);
      const voided = await invoices.update(current.id, { status: 'void', voidedAt: new Date() });
      await enqueueEvent(tx, invoiceVoidedV1, { invoiceId: voided.id, userId: voided.userId }, { correlationId: request.id });
      return voided;
    });
    return ok(reply, toInvoice(invoice), 'Invoice voided');
  });

  app.get(
    '/api/v1/billing/invoices',
    {
      onRequest: [requireAuth()],
      schema: {
        tags: ['billing'],
        summary: 'Invoices, newest first: the caller’s own, or every one for an admin',
        querystring: ListQuery,
        response: { 200: pagedEnvelope(Invoice), ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const { page: pageNumber, pageSize, status } = request.query;
      const filter = { status, userId: isAdmin(request.user) ? undefined : request.user.sub };
      const result = await invoiceRepository(db).page({ page: pageNumber, pageSize }, filter);
      return page(reply, { items: result.items.map(toInvoice), total: result.total }, { page: pageNumber, pageSize });
    },
  );

  app.get(
    '/api/v1/billing/invoices/:id',
    {
      onRequest: [requireAuth()],
      schema: { tags: ['billing'], summary: 'One invoice (owner or admin)', params: idParams, response: { 200: envelope(Invoice), ...errorResponses(400, 401, 404) } },
    },
    async (request, reply) => {
      const owner = isAdmin(request.user) ? undefined : request.user.sub;
      const invoice = await invoiceRepository(db).find(request.params.id, { userId: owner });
      if (!invoice) throw notFound('Invoice not found');
      return ok(reply, toInvoice(invoice));
    },
  );
}
