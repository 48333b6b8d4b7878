import { ApiError, createPlatformClient, isApiError, type PlatformClient } from '@platform/client';
import { GENERATE_COMMAND, checkedInDocument, describeOperationDrift, renderClientSources, staleClientSources, type OpenApiDocument } from '@platform/client/testing';
import { ERROR_CODES } from '@platform/http-kit';
import { waitFor } from '@platform/messaging/testing';
import { describe, expect, it } from 'vitest';
import { ADMIN, usePlatform } from '../src/fixture.js';
import { newUserInput } from '../src/gateway-client.js';

/** issue 16: the typed client (libs/client) driving the real platform through the gateway. */
describe('the typed client SDK against the platform', () => {
  const e2e = usePlatform();
  /** Every request the SDK put on the wire, as `METHOD /path`. */
  const wire: string[] = [];
  const sdk = (): PlatformClient =>
    createPlatformClient({
      baseUrl: e2e.platform.gatewayUrl,
      fetch: (request) => {
        wire.push(`${request.method} ${new URL(request.url).pathname}`);
        return fetch(request);
      },
    });
  const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);
  /** Rejected calls, each with its error and the platform's log lines for its request id. */
  const failures = (results: PromiseSettledResult<unknown>[]) =>
    results.flatMap((result) => {
      if (result.status === 'fulfilled') return [];
      const error = result.reason as ApiError;
      const logs = Object.values(e2e.platform.apps).flatMap((app) => app.output.filter((line) => error.requestId && line.includes(error.requestId)));
      return [{ error: `${error.name} ${error.status ?? ''} ${error.module ?? ''} ${error.message}`, logs }];
    });

  it('is generated from the OpenAPI document this gateway serves', async () => {
    const served = (await fetch(`${e2e.platform.gatewayUrl}/openapi.json`).then((r) => r.json())) as OpenApiDocument;
    const stale = staleClientSources(await renderClientSources(served, ERROR_CODES));
    const problem =
      stale.length === 0
        ? undefined
        : [
            `libs/client is out of date with the gateway's merged OpenAPI document (${stale.map((path) => `libs/client/${path}`).join(', ')}).`,
            ...describeOperationDrift(checkedInDocument(), served).map((line) => `  ${line}`),
            `Run \`${GENERATE_COMMAND}\` and commit the result.`,
          ].join('\n');
    expect(problem).toBeUndefined();
  });

  it('sign-up → login → me → refresh under concurrency → pay twice with one key → typed 409 / 422', async () => {
    const api = sdk();
    const input = newUserInput('sdk');
    const requestId = `sdk-e2e-${input.email.split('@')[0]}`;

    const registered = await api.POST('/api/v1/auth/register', { body: input, requestId });
    expect(registered).toMatchObject({ code: 'SUCCESS', module: 'users', requestId, data: { email: input.email, role: 'user' } });
    const userId = registered.data.id;

    const taken = await rejection(api.POST('/api/v1/auth/register', { body: input }));
    expect(taken).toBeInstanceOf(ApiError);
    expect(taken).toMatchObject({ status: 409, code: 'CONFLICT', module: 'users', requestId: expect.any(String) });

    const weak = await rejection(api.POST('/api/v1/auth/register', { body: { ...newUserInput('weak'), password: 'short' } }));
    expect(weak).toMatchObject({ status: 400, code: 'VALIDATION_ERROR', issues: expect.arrayContaining([expect.objectContaining({ path: 'password' })]) });

    const badLogin = await rejection(api.login({ email: input.email, password: 'Wrong-passw0rd' }));
    expect(isApiError(badLogin, 'UNAUTHORIZED')).toBe(true);
    expect(api.session).toBeNull();

    await api.login({ email: input.email, password: input.password });
    const firstPair = api.session ?? expect.unreachable('login keeps a session');
    expect(firstPair).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresAt: expect.any(Number) });
    expect((await api.GET('/api/v1/users/me')).data).toMatchObject({ id: userId, email: input.email, role: 'user' });

    // An admin promotes the user: the access token in hand carries the old role and is refused.
    const admin = sdk();
    await admin.login(ADMIN);
    await admin.PATCH('/api/v1/users/{id}', { params: { path: { id: userId } }, body: { role: 'moderator' } });
    await waitFor(async () => {
      const response = await fetch(`${e2e.platform.gatewayUrl}/api/v1/users/me`, { headers: { authorization: `Bearer ${firstPair.accessToken}` } });
      await response.body?.cancel();
      return response.status === 401;
    }, { timeoutMs: 10_000 });

    // Twelve calls at once with the refused token: one refresh between them, then every one answers.
    wire.length = 0;
    const settled = await Promise.allSettled([
      ...Array.from({ length: 8 }, () => api.GET('/api/v1/users/me')),
      ...Array.from({ length: 4 }, () => api.GET('/api/v1/notifications')),
    ]);
    expect(failures(settled)).toEqual([]);
    const burst = settled.map((result) => (result as PromiseFulfilledResult<{ data: unknown }>).value);
    expect(wire.filter((line) => line === 'POST /api/v1/auth/refresh')).toHaveLength(1);
    expect(burst.slice(0, 8).map((answer) => (answer.data as { role: string }).role)).toEqual(Array(8).fill('moderator'));
    expect(api.session?.refreshToken).not.toBe(firstPair.refreshToken);
    // Reuse detection was never tripped: the rotated login goes on working.
    expect((await api.GET('/api/v1/users/me')).data.role).toBe('moderator');

    // An invoice to pay: the user's account, an admin's issued invoice of 100.00 EUR.
    const account = await api.POST('/api/v1/billing/accounts', { body: { currency: 'EUR' } });
    expect(account).toMatchObject({ module: 'billing', data: { userId, currency: 'EUR' } });
    const secondAccount = await rejection(api.POST('/api/v1/billing/accounts', { body: { currency: 'EUR' } }));
    expect(secondAccount).toMatchObject({ status: 409, code: 'CONFLICT', module: 'billing' });
    const draft = await admin.POST('/api/v1/billing/invoices', {
      body: { accountId: account.data.id, dueDate: '2030-06-30', lines: [{ description: 'Annual plan', quantity: 1, unitAmountMinor: 10_000 }] },
    });
    const invoiceId = draft.data.id;
    await admin.POST('/api/v1/billing/invoices/{id}/issue', { params: { path: { id: invoiceId } } });
    const pay = (amountMinor: number, idempotencyKey?: string) =>
      api.POST('/api/v1/billing/invoices/{id}/payments', { params: { path: { id: invoiceId } }, body: { amountMinor, method: 'card' }, idempotencyKey });

    const key = `sdk-${invoiceId}`;
    const first = await pay(4_000, key);
    const again = await pay(4_000, key);
    expect(first).toMatchObject({ code: 'SUCCESS', module: 'billing', data: { invoiceId, amountMinor: 4_000, currency: 'EUR' } });
    expect(again.data).toEqual(first.data);

    const reusedKey = await rejection(pay(5_000, key));
    expect(reusedKey).toBeInstanceOf(ApiError);
    expect(reusedKey).toMatchObject({ status: 409, code: 'CONFLICT', module: 'billing', idempotencyKey: key, requestId: expect.any(String) });

    const overpaid = await rejection(pay(7_000));
    expect(overpaid).toMatchObject({ status: 422, code: 'UNPROCESSABLE', module: 'billing', idempotencyKey: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    // Without a key of its own, the SDK makes one: the rest is paid once.
    const rest = await pay(6_000);
    expect(rest.data.amountMinor).toBe(6_000);
    const paid = await api.GET('/api/v1/billing/invoices/{id}', { params: { path: { id: invoiceId } } });
    expect(paid.data).toMatchObject({ status: 'paid', amountPaidMinor: 10_000, amountDueMinor: 0 });
    const afterPaid = await rejection(pay(1));
    expect(afterPaid).toMatchObject({ status: 422, code: 'UNPROCESSABLE' });

    // The caller's request id comes back on errors too.
    const unknown = await rejection(api.GET('/api/v1/billing/invoices/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } }, requestId }));
    expect(unknown).toMatchObject({ status: 404, code: 'NOT_FOUND', requestId });

    // Logout ends the login on the server: its refresh token is refused from then on.
    const last = api.session ?? expect.unreachable('still signed in');
    await api.logout();
    expect(api.session).toBeNull();
    const refused = await fetch(`${e2e.platform.gatewayUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: last.refreshToken }),
    });
    expect(refused.status).toBe(401);
  }, 90_000);
});
