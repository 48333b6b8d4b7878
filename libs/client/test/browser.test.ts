import { join } from 'node:path';
import { runInContext, createContext } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Client from '../src/index.js';
import { answer, startStubGateway, type StubGateway } from './stub-gateway.js';

/**
 * The client must run in browsers: bundled for the browser platform (esbuild refuses any Node
 * built-in there), then run in a realm with web globals only (no process, Buffer, require) and
 * no `crypto.randomUUID` (an insecure-context page), against a real HTTP server.
 */
describe('the client in a browser', () => {
  let bundle: string;
  let stub: StubGateway;

  beforeAll(async () => {
    const result = await build({
      entryPoints: [join(import.meta.dirname, '../src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'PlatformClient',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    bundle = result.outputFiles[0].text;
    stub = await startStubGateway((request, response) => {
      if (request.path === '/api/v1/auth/login') return answer(response, 200, { accessToken: 'a1', refreshToken: 'r1', tokenType: 'Bearer', expiresIn: 1800 });
      if (request.headers.authorization !== 'Bearer a1') return answer(response, 401, null, { code: 'UNAUTHORIZED' });
      if (request.path.endsWith('/payments')) return answer(response, 422, { issues: [{ path: 'amountMinor', message: 'more than is due' }] }, { code: 'UNPROCESSABLE' });
      return answer(response, 200, { id: 'user-1' });
    });
  });
  afterAll(() => stub?.close());

  it('bundles for the browser platform with no Node built-in', () => {
    expect(bundle).not.toMatch(/\brequire\(|from ['"]node:/);
  });

  it('logs in, calls, and throws typed errors with web globals only', async () => {
    const realm = createContext({
      fetch: (input: Request) => fetch(input),
      Request,
      Response,
      Headers,
      AbortController,
      AbortSignal,
      DOMException,
      URL,
      URLSearchParams,
      FormData,
      Blob,
      TextEncoder,
      TextDecoder,
      setTimeout,
      clearTimeout,
      queueMicrotask,
      structuredClone,
      crypto: { getRandomValues: (array: Uint8Array) => crypto.getRandomValues(array) },
    });
    runInContext(bundle, realm);
    const { createPlatformClient, isApiError } = (realm as unknown as { PlatformClient: typeof Client }).PlatformClient;
    expect(runInContext('typeof process + typeof Buffer + typeof require', realm)).toBe('undefinedundefinedundefined');

    const api = createPlatformClient({ baseUrl: stub.url });
    await api.login({ email: 'ada@example.test', password: 'Passw0rd-1' });
    await expect(api.GET('/api/v1/users/me')).resolves.toMatchObject({ data: { id: 'user-1' } });
    const error = await api
      .POST('/api/v1/billing/invoices/{id}/payments', { params: { path: { id: '3f1c2a8e-0000-4000-8000-000000000001' } }, body: { amountMinor: 10, method: 'card' } })
      .catch((caught: unknown) => caught);
    expect(isApiError(error, 'UNPROCESSABLE')).toBe(true);
    expect(error).toMatchObject({ status: 422, issues: [{ path: 'amountMinor', message: 'more than is due' }] });
    expect(stub.seen.at(-1)?.headers['idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
