import { accountCreatedV1 } from '@platform/contracts';
import { withTransaction, type DbOrTx } from '@platform/db-kit';
import {
  conflict,
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
  type AccessClaims,
  type HttpApp,
} from '@platform/http-kit';
import { enqueueEvent } from '@platform/messaging';
import { z } from 'zod';
import { accountRepository, type AccountRow } from '../data/account-repository.js';
import { billingUserRepository } from '../data/billing-user-repository.js';
import { currencySchema } from '../domain/money.js';
import { iso } from './access.js';

const Account = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  currency: z.string(),
  billingEmail: z.string().nullable(),
  companyName: z.string().nullable(),
  createdAt: z.string(),
});

export const OpenAccountBody = z.strictObject({
  currency: currencySchema,
  billingEmail: z.string().trim().toLowerCase().max(254).pipe(z.email()).optional(),
  companyName: humanText().min(1).max(200).optional(),
});

export const toAccount = (row: AccountRow) => ({ ...row, createdAt: iso(row.createdAt) as string });

/**
 * Opens the caller's account. The users projection row is created from the token if billing has
 * not heard of the user yet (their registration event may still be on its way), then locked, so
 * a deactivation being projected at the same moment either lands first (→ 422) or waits for us.
 * billingEmail defaults to the e-mail billing knows; when it knows none, it stays null.
 */
export async function openAccount(
  db: DbOrTx,
  user: Pick<AccessClaims, 'sub' | 'role'>,
  input: z.output<typeof OpenAccountBody>,
  correlationId: string,
): Promise<AccountRow> {
  return withTransaction(db, async (tx) => {
    const users = billingUserRepository(tx);
    await users.ensure(user.sub, 'token', user.role);
    const known = await users.lock(user.sub, 'share');
    if (!known?.isActive) throw unprocessable('This user is deactivated and cannot open an account');
    const account = await accountRepository(tx).insert({
      userId: user.sub,
      currency: input.currency,
      billingEmail: input.billingEmail ?? known.email,
      companyName: input.companyName ?? null,
    });
    if (!account) throw conflict('This user already has a billing account');
    await enqueueEvent(tx, accountCreatedV1, { accountId: account.id, userId: account.userId, currency: account.currency }, { correlationId });
    return account;
  });
}

export function accountRoutes(app: HttpApp, db: DbOrTx): void {
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
    async (request, reply) => created(reply, toAccount(await openAccount(db, request.user, request.body, request.id)), 'Account opened'),
  );

  app.get(
    '/api/v1/billing/accounts/me',
    {
      onRequest: [requireAuth()],
      schema: { tags: ['billing'], summary: 'The caller’s billing account', response: { 200: envelope(Account), ...errorResponses(401, 404) } },
    },
    async (request, reply) => {
      const account = await accountRepository(db).findByUserId(request.user.sub);
      if (!account) throw notFound('No billing account yet');
      return ok(reply, toAccount(account));
    },
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
      const result = await accountRepository(db).page(request.query);
      return page(reply, { items: result.items.map(toAccount), total: result.total }, request.query);
    },
  );
}
