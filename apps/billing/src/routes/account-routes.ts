import { created, envelope, errorResponses, ok, page, pagedEnvelope, paginationQuery, requireAuth, requireRole, type HttpApp } from '@platform/http-kit';
import type { BillingDeps } from '../deps.js';
import { getOwnAccount } from '../use-cases/get-own-account.js';
import { listAccounts } from '../use-cases/list-accounts.js';
import { openAccount } from '../use-cases/open-account.js';
import { Account, OpenAccountBody, toAccount } from './schemas.js';

export function accountRoutes(app: HttpApp, deps: BillingDeps): void {
  app.post(
    '/api/v1/billing/accounts',
    {
      onRequest: [requireAuth()],
      schema: {
        tags: ['billing'],
        summary: 'Open the caller’s billing account (one per user)',
        body: OpenAccountBody,
        response: { 201: envelope(Account), ...errorResponses(400, 401, 409, 422) },
      },
    },
    async (request, reply) => created(reply, toAccount(await openAccount(deps, request.user, request.body, request.id)), 'Account opened'),
  );

  app.get(
    '/api/v1/billing/accounts/me',
    {
      onRequest: [requireAuth()],
      schema: { tags: ['billing'], summary: 'The caller’s billing account', response: { 200: envelope(Account), ...errorResponses(401, 404) } },
    },
    async (request, reply) => ok(reply, toAccount(await getOwnAccount(deps, request.user))),
  );

  app.get(
    '/api/v1/billing/accounts',
    {
      onRequest: [requireRole('admin')],
      schema: {
        tags: ['billing'],
        summary: 'Every billing account (admin)',
        querystring: paginationQuery,
        response: { 200: pagedEnvelope(Account), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const result = await listAccounts(deps, request.query);
      return page(reply, { items: result.items.map(toAccount), total: result.total }, request.query);
    },
  );
}
