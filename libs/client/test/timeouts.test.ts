import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutError, createPlatformClient } from '../src/index.js';
import { answer, startStubGateway, type StubGateway } from './stub-gateway.js';

describe('timeouts and abort signals', () => {
  let stub: StubGateway | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });

  /** A gateway that never answers GET /users/me and answers everything else 503 with Retry-After: 2. */
  async function silentGateway() {
    stub = await startStubGateway((request, response) => {
      if (request.path === '/api/v1/users/me') return;
      answer(response, 503, null, { code: 'SERVICE_UNAVAILABLE', headers: { 'retry-after': '2' } });
    });
    return { stub };
  }

  it('rejects with a TimeoutError when no answer comes within timeoutMs, and drops the request', async () => {
    const { stub } = await silentGateway();
    // A second of budget: on a loaded machine a shorter one can expire before the request is sent.
    const api = createPlatformClient({ baseUrl: stub.url, timeoutMs: 1_000 });
    const error = await api.GET('/api/v1/users/me').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ name: 'TimeoutError', timeoutMs: 1_000 });
    expect(stub.seen).toHaveLength(1);
  });

  it('still times out after a garbage collection while the request is on the wire', async () => {
    // Node's fetch follows a Request's signal through a WeakRef: were the client to drop its
    // Request, a collection would cut the link and the call would hang instead of timing out.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { stub } = await silentGateway();
    const api = createPlatformClient({ baseUrl: stub.url, timeoutMs: 500 });
    const call = api.GET('/api/v1/users/me');
    await expect.poll(() => stub.seen.length).toBe(1);
    gc();
    await expect(call).rejects.toBeInstanceOf(TimeoutError);
  }, 5_000);

  it('takes a per-call timeout over the client default', async () => {
    const { stub } = await silentGateway();
    const api = createPlatformClient({ baseUrl: stub.url, timeoutMs: 60_000 });
    await expect(api.GET('/api/v1/users/me', { timeoutMs: 100 })).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 100 });
  });

  it('counts retries and their backoff inside the one deadline', async () => {
    const { stub } = await silentGateway();
    // Retry-After: 2 s and up to 5 attempts, but the call has 1 s in all: no second attempt.
    const api = createPlatformClient({ baseUrl: stub.url, timeoutMs: 1_000, retry: { attempts: 5, maxDelayMs: 10_000 } });
    await expect(api.GET('/api/v1/billing/invoices')).rejects.toBeInstanceOf(TimeoutError);
    expect(stub.seen).toHaveLength(1);
  });

  it("rejects with the signal's reason when the caller aborts, before or during the call", async () => {
    const { stub } = await silentGateway();
    const api = createPlatformClient({ baseUrl: stub.url });
    const controller = new AbortController();
    const call = api.GET('/api/v1/users/me', { signal: controller.signal });
    await expect.poll(() => stub.seen.length).toBe(1);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });

    await expect(api.GET('/api/v1/users/me', { signal: AbortSignal.abort(new Error('already gone')) })).rejects.toThrow('already gone');
    expect(stub.seen).toHaveLength(1);
  });

  it('aborts a backoff wait at once', async () => {
    const { stub } = await silentGateway();
    const api = createPlatformClient({ baseUrl: stub.url, retry: { attempts: 5, maxDelayMs: 60_000 } });
    const controller = new AbortController();
    const call = api.GET('/api/v1/billing/invoices', { signal: controller.signal });
    await expect.poll(() => stub.seen.length).toBe(1);
    controller.abort(new Error('cancelled'));
    await expect(call).rejects.toThrow('cancelled');
  });
});
