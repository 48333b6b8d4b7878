import { created, envelope, errorResponses, ok, page, pagedEnvelope, paginationQuery, requireRole, type RouteRegistrar } from '@platform/http-kit';
import type { BillingDeps } from '../deps.js';
import { getOwnAccount } from '../use-cases/get-own-account.js';
import { listAccounts } from '../use-cases/list-accounts.js';
import { openAccount } from '../use-cases/open-account.js';
import { Account, OpenAccountBody, toAccount } from './schemas.js';

/**
 * `GET /accounts/me`: the caller's own account. In a group of its own (routes/index.ts), whose
 * token check reads the account in the same statement.
 */
export const ownAccountRoutes: RouteRegistrar<BillingDeps> = (app, deps) => {
  app.get(
    '/accounts/me',
    { schema: { summary: 'The caller’s billing account', response: { 200: envelope(Account), ...errorResponses(401, 404) } } },
    async (request, reply) => ok(reply, await getOwnAccount(deps, request.user)),
  );
};

/** `/accounts`: open one's own, list all (admin). */
export const accountRoutes: RouteRegistrar<BillingDeps> = (app, deps) => {
  app.post(
    '/accounts',
    {
      schema: {
        summary: 'Open the caller’s billing account (one per user)',
        body: OpenAccountBody,
        response: { 201: envelope(Account), ...errorResponses(400, 401, 409, 422) },
      },
    },
    async (request, reply) => created(reply, toAccount(await openAccount(deps, request.user, request.body, request.id)), 'Account opened'),
  );

  app.get(
    '/accounts',
    {
      onRequest: [requireRole('admin')],
      schema: {
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
};
