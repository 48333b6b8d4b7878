import { created, envelope, errorResponses, idParams, ok, page, pagedEnvelope, requireRole, type RouteRegistrar } from '@platform/http-kit';
import type { BillingDeps } from '../deps.js';
import { createInvoice } from '../use-cases/create-invoice.js';
import { getInvoice } from '../use-cases/get-invoice.js';
import { issueInvoice } from '../use-cases/issue-invoice.js';
import { listInvoices } from '../use-cases/list-invoices.js';
import { voidInvoice } from '../use-cases/void-invoice.js';
import { CreateInvoiceBody, Invoice, ListInvoicesQuery, toInvoice } from './schemas.js';

const adminAction = (summary: string) => ({
  onRequest: [requireRole('admin')],
  schema: { summary, params: idParams, response: { 200: envelope(Invoice), ...errorResponses(400, 401, 403, 404, 422) } },
});

/** `/invoices`: drafts, issue and void (admin); lists and reads for owners and admins. */
export const invoiceRoutes: RouteRegistrar<BillingDeps> = (app, deps) => {
  app.post(
    '/invoices',
    {
      onRequest: [requireRole('admin')],
      schema: {
        summary: 'Create a draft invoice for an account (admin); totals and number are computed',
        body: CreateInvoiceBody,
        response: { 201: envelope(Invoice), ...errorResponses(400, 401, 403, 422) },
      },
    },
    async (request, reply) => created(reply, toInvoice(await createInvoice(deps, request.body)), 'Draft invoice created'),
  );

  app.post('/invoices/:id/issue', adminAction('Issue a draft invoice (admin)'), async (request, reply) =>
    ok(reply, toInvoice(await issueInvoice(deps, request.params.id, request.id)), 'Invoice issued'),
  );

  app.post('/invoices/:id/void', adminAction('Void a draft or issued invoice without payments (admin)'), async (request, reply) =>
    ok(reply, toInvoice(await voidInvoice(deps, request.params.id, request.id)), 'Invoice voided'),
  );

  app.get(
    '/invoices',
    {
      schema: {
        summary: 'Invoices, newest first: the caller’s own, or every one for an admin',
        querystring: ListInvoicesQuery,
        response: { 200: pagedEnvelope(Invoice), ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const { page: pageNumber, pageSize } = request.query;
      // The reads answer in the response's shape already (data/invoice-reads.ts).
      return page(reply, await listInvoices(deps, request.user, request.query), { page: pageNumber, pageSize });
    },
  );

  app.get(
    '/invoices/:id',
    { schema: { summary: 'One invoice (owner or admin)', params: idParams, response: { 200: envelope(Invoice), ...errorResponses(400, 401, 404) } } },
    async (request, reply) => ok(reply, await getInvoice(deps, request.user, request.params.id)),
  );
};
