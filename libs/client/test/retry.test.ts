import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, NetworkError, createPlatformClient } from '../src/index.js';
import { defaultRetryPolicy, mayRepeat, retryDelayMs } from '../src/retry-policy.js';
import { answer, startStubGateway, type StubGateway, type StubHandler } from './stub-gateway.js';

const PAY = '/api/v1/billing/invoices/{id}/payments';
const invoiceId = '3f1c2a8e-0000-4000-8000-000000000001';
const payPath = `/api/v1/billing/invoices/${invoiceId}/payments`;
const session = { accessToken: 'a0', refreshToken: 'r0' };

/** Answers `statuses` in turn (then 200), or drops the connection for `'drop'`. */
function inTurn(...statuses: Array<number | 'drop'>): StubHandler {
  let index = 0;
  return (_request, response) => {
    const status = statuses[index++] ?? 200;
    if (status === 'drop') return void response.socket?.destroy();
    answer(response, status, status < 400 ? { ok: true } : null, { code: status === 503 ? 'SERVICE_UNAVAILABLE' : status === 504 ? 'GATEWAY_TIMEOUT' : undefined });
  };
}

describe('retries: only requests that may arrive twice, only on 503 / 504 or no answer', () => {
  let stub: StubGateway | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });
  const client = async (handler: StubHandler) => {
    const started = await startStubGateway(handler);
    stub = started;
    return { api: createPlatformClient({ baseUrl: started.url, session, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } }), seen: started.seen, to: started.to, close: started.close };
  };

  it('retries a GET on 503 and 504 with the same x-request-id, then answers', async () => {
    const { api, seen } = await client(inTurn(503, 504));
    await expect(api.GET('/api/v1/users/me', { requestId: 'trace-me-1' })).resolves.toMatchObject({ code: 'SUCCESS' });
    expect(seen.map((request) => request.headers['x-request-id'])).toEqual(['trace-me-1', 'trace-me-1', 'trace-me-1']);
  });

  it('gives up after the configured attempts with the last answer as a typed error', async () => {
    const { api, seen } = await client(inTurn(503, 503, 503, 503));
    const error = await api.GET('/api/v1/billing/invoices').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', requestId: 'stub-request', module: 'stub' });
    expect(seen).toHaveLength(3);
  });

  it('never retries a POST without an Idempotency-Key, whatever the answer', async () => {
    const { api, seen } = await client(inTurn(503, 503));
    await expect(api.POST('/api/v1/billing/accounts', { body: { currency: 'EUR' } })).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it('never retries a POST without a key that got no answer', async () => {
    const { api, seen } = await client(inTurn('drop', 'drop'));
    await expect(api.POST('/api/v1/billing/accounts', { body: { currency: 'EUR' } })).rejects.toBeInstanceOf(NetworkError);
    expect(seen).toHaveLength(1);
  });

  it('generates an Idempotency-Key for a payment and sends the same one on every retry', async () => {
    const { api, to } = await client(inTurn(503, 'drop'));
    await api.POST(PAY, { params: { path: { id: invoiceId } }, body: { amountMinor: 500, method: 'card' } });
    const keys = to(payPath).map((request) => request.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    await api.POST(PAY, { params: { path: { id: invoiceId } }, body: { amountMinor: 500, method: 'card' } });
    expect(to(payPath).at(-1)?.headers['idempotency-key']).not.toBe(keys[0]);
  });

  it('uses the key a caller gives (option or header) and reports it on the error', async () => {
    const { api, seen } = await client(inTurn(422, 422));
    const error = await api.POST(PAY, { params: { path: { id: invoiceId } }, body: { amountMinor: 500, method: 'card' }, idempotencyKey: 'order-42' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 422, idempotencyKey: 'order-42' });
    await expect(
      api.POST(PAY, { params: { path: { id: invoiceId }, header: { 'idempotency-key': 'order-43' } }, body: { amountMinor: 500, method: 'card' } }),
    ).rejects.toMatchObject({ idempotencyKey: 'order-43' });
    expect(seen.map((request) => request.headers['idempotency-key'])).toEqual(['order-42', 'order-43']);
  });

  it('retries a POST that carries an Idempotency-Key of its own', async () => {
    const { api, seen } = await client(inTurn(504));
    await api.POST('/api/v1/billing/accounts', { body: { currency: 'EUR' }, headers: { 'Idempotency-Key': 'account-1' } });
    expect(seen).toHaveLength(2);
  });

  it('does not retry other failures (500, 429, 4xx)', async () => {
    for (const status of [500, 429, 400]) {
      const { api, seen, close } = await client(inTurn(status, status));
      await expect(api.GET('/api/v1/users/me')).rejects.toMatchObject({ status });
      expect(seen).toHaveLength(1);
      await close();
    }
    stub = undefined;
  });

  it('retries a GET that got no answer, and says so when none ever comes', async () => {
    const { api, seen } = await client(inTurn('drop', 'drop', 'drop'));
    const error = await api.GET('/api/v1/users/me').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).message).toMatch(/^GET \/api\/v1\/users\/me: no answer/);
    expect(seen).toHaveLength(3);
  });

  it('can be switched off per call or per client', async () => {
    const { api, seen, close } = await client(inTurn(503, 503));
    await expect(api.GET('/api/v1/users/me', { retry: false })).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
    await close();
    stub = await startStubGateway(inTurn(503, 503));
    const once = createPlatformClient({ baseUrl: stub.url, retry: false });
    await expect(once.GET('/health')).rejects.toMatchObject({ status: 503 });
    expect(stub.seen).toHaveLength(1);
  });
});

describe('retry policy', () => {
  const policy = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1_000 };

  it('repeats idempotent methods and keyed requests only', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']) expect(mayRepeat(method, new Headers())).toBe(true);
    for (const method of ['POST', 'PATCH']) expect(mayRepeat(method, new Headers())).toBe(false);
    expect(mayRepeat('POST', new Headers({ 'Idempotency-Key': 'k' }))).toBe(true);
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect([1, 2, 3, 4, 5].map((retry) => retryDelayMs(policy, retry, null, () => 1))).toEqual([100, 200, 400, 800, 1_000]);
    expect(retryDelayMs(policy, 3, null, () => 0.5)).toBe(200);
    expect(retryDelayMs(policy, 1, null, () => 0)).toBe(0);
  });

  it('follows Retry-After (seconds or a date), within the cap', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryDelayMs(policy, 1, '0.5', () => 1, now)).toBe(500);
    expect(retryDelayMs(policy, 1, '120', () => 1, now)).toBe(1_000);
    expect(retryDelayMs(policy, 1, 'Thu, 01 Jan 2026 00:00:00 GMT', () => 1, now)).toBe(0);
    expect(retryDelayMs(policy, 1, 'soon', () => 1, now)).toBe(100);
  });
});
