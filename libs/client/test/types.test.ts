import { describe, expectTypeOf, it } from 'vitest';
import { ApiError, createPlatformClient, isApiError, type ErrorCode, type Invoice, type Payment, type Session, type User } from '../src/index.js';

// Compile-time checks (the typecheck target fails on a wrong type); the calls never run.
const api = createPlatformClient({ baseUrl: 'http://gateway.invalid' });
const invoiceId = '3f1c2a8e-0000-4000-8000-000000000001';

describe('types generated from the OpenAPI document', () => {
  it('types responses with their envelope', () => {
    const _me = () => api.GET('/api/v1/users/me');
    expectTypeOf<Awaited<ReturnType<typeof _me>>>().toMatchObjectType<{ code: 'SUCCESS'; message: string; module: string; requestId: string }>();
    expectTypeOf<Awaited<ReturnType<typeof _me>>['data']>().toEqualTypeOf<User>();
    expectTypeOf<User['email']>().toEqualTypeOf<string>();
    expectTypeOf<User['role']>().toEqualTypeOf<'user' | 'moderator' | 'admin'>();
    const _list = () => api.GET('/api/v1/billing/invoices', { params: { query: { status: 'paid', page: 2 } } });
    expectTypeOf<Awaited<ReturnType<typeof _list>>['data']>().toEqualTypeOf<Invoice[]>();
    expectTypeOf<Awaited<ReturnType<typeof _list>>['meta']>().toMatchObjectType<{ page: number; pageSize: number; total: number; totalPages: number }>();
  });

  it('types requests: path parameters, bodies, and an optional Idempotency-Key', () => {
    const _pay = () => api.POST('/api/v1/billing/invoices/{id}/payments', { params: { path: { id: invoiceId } }, body: { amountMinor: 500, method: 'card' } });
    expectTypeOf<Awaited<ReturnType<typeof _pay>>['data']>().toEqualTypeOf<Payment>();
    // @ts-expect-error `method` is one of card | bank_transfer | cash
    void (() => api.POST('/api/v1/billing/invoices/{id}/payments', { params: { path: { id: invoiceId } }, body: { amountMinor: 500, method: 'cheque' } }));
    // @ts-expect-error the path parameter is required
    void (() => api.POST('/api/v1/billing/invoices/{id}/payments', { body: { amountMinor: 500, method: 'card' } }));
    // @ts-expect-error login needs a password
    void (() => api.login({ email: 'ada@example.test' }));
    // @ts-expect-error no such route
    void (() => api.GET('/api/v1/nothing-here'));
  });

  it('types errors with the contract codes', () => {
    expectTypeOf<ApiError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<'UNPROCESSABLE'>().toExtend<ErrorCode>();
    expectTypeOf<ApiError['issues']>().toEqualTypeOf<Array<{ path: string; message: string }>>();
  });
});

// The README's example, as written there (it must compile).
export async function readmeExample(email: string, password: string, invoiceId: string, save: (session: Session | null) => void) {
  const api = createPlatformClient({ baseUrl: 'http://localhost:3000', onSessionChange: (session) => save(session) });
  await api.POST('/api/v1/auth/register', { body: { email, password, fullName: 'Ada Lovelace' } });
  await api.login({ email, password });
  const { data: me } = await api.GET('/api/v1/users/me');
  try {
    await api.POST('/api/v1/billing/invoices/{id}/payments', { params: { path: { id: invoiceId } }, body: { amountMinor: 2500, method: 'card' } });
  } catch (error) {
    if (isApiError(error, 'UNPROCESSABLE')) console.warn(error.message, error.requestId);
  }
  return [me.email, me.role, me.profile.timezone];
}
