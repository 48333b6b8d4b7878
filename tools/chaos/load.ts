// The chaos run's clients: they keep registering users, reading and paying invoices through the
// gateway while faults happen, and tally every answer by status class. A client retries a payment
// with the same Idempotency-Key after a 5xx or a timeout, as a real client would.
import { randomUUID } from 'node:crypto';
import { newUserInput } from '../../apps/e2e/src/gateway-client.js';

export interface Tally {
  requests: number;
  ok2xx: number;
  client4xx: number;
  unavailable503: number;
  timeout504: number;
  /** Anything else: a 500, another 5xx, a connection error or a client-side timeout. */
  other: number;
  /** Answers that were not the platform envelope. */
  bare: number;
  /** The first few `other` / `bare` answers, for the report. */
  samples: string[];
}

export interface Load {
  tally: Tally;
  /** Payments the clients believe were made (201 or a replay). */
  payments: number;
  start(): void;
  stop(): Promise<void>;
  /** True when every service answers an API request through the gateway (no 5xx); `failing` lists those that do not. */
  servedAgain(failing?: string[]): Promise<boolean>;
}

interface Answer {
  status: number;
  body: { code?: string; requestId?: string; data?: unknown } | undefined;
}

/**
 * `gatewayUrl` may be several gateways: requests go round robin, and one whose connection is
 * refused (that gateway is down) goes to the next, as a load balancer in front of them would.
 */
export function createLoad(gatewayUrl: string | string[], admin: { email: string; password: string }, clients = 3): Load {
  const gateways = [gatewayUrl].flat();
  let nextGateway = 0;
  async function balancedFetch(path: string, init: RequestInit): Promise<Response> {
    const first = nextGateway++;
    for (let i = 0; ; i++) {
      try {
        return await fetch(new URL(path, gateways[(first + i) % gateways.length]), init);
      } catch (err) {
        const refused = (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
        if (!refused || i + 1 >= gateways.length) throw err;
      }
    }
  }
  const tally: Tally = { requests: 0, ok2xx: 0, client4xx: 0, unavailable503: 0, timeout504: 0, other: 0, bare: 0, samples: [] };
  let running = false;
  let loops: Promise<void>[] = [];
  let payments = 0;
  let adminToken: string | undefined;
  let probeToken: string | undefined;

  async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; count?: boolean } = {}): Promise<Answer> {
    const count = options.count ?? true;
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await balancedFetch(path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      let body: Answer['body'];
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      if (count) {
        tally.requests++;
        const s = response.status;
        if (s >= 200 && s < 300) tally.ok2xx++;
        else if (s >= 400 && s < 500) tally.client4xx++;
        else if (s === 503) tally.unavailable503++;
        else if (s === 504) tally.timeout504++;
        else sample('other', `${method} ${path} → ${s} ${text.slice(0, 200)}`);
        if (!body || typeof body.code !== 'string' || typeof body.requestId !== 'string') sample('bare', `${method} ${path} → ${s} ${text.slice(0, 200)}`);
      }
      return { status: response.status, body };
    } catch (err) {
      if (count) {
        tally.requests++;
        sample('other', `${method} ${path} → ${err instanceof Error ? err.message : String(err)}`);
      }
      return { status: 0, body: undefined };
    }
  }

  function sample(kind: 'other' | 'bare', what: string): void {
    tally[kind]++;
    if (tally.samples.length < 10) tally.samples.push(`${kind}: ${what}`);
  }

  async function login(email: string, password: string, count = true): Promise<string | undefined> {
    const answer = await call('POST', '/api/v1/auth/login', { body: { email, password }, count });
    return answer.status === 200 ? (answer.body?.data as { accessToken: string }).accessToken : undefined;
  }

  async function adminCall(method: string, path: string, body?: unknown): Promise<Answer> {
    adminToken ??= await login(admin.email, admin.password);
    const answer = await call(method, path, { token: adminToken, body });
    if (answer.status === 401) adminToken = undefined;
    return answer;
  }

  /** Opens an account, has an invoice issued and pays it, retrying the payment with its key. */
  async function payingCustomer(email: string, password: string): Promise<void> {
    const token = await login(email, password);
    if (!token) return;
    const account = await call('POST', '/api/v1/billing/accounts', { token, body: { currency: 'EUR' } });
    if (account.status !== 201) return;
    const accountId = (account.body?.data as { id: string }).id;
    const draft = await adminCall('POST', '/api/v1/billing/invoices', {
      accountId,
      dueDate: '2030-12-31',
      lines: [{ description: 'Chaos plan', quantity: 1, unitAmountMinor: 1_000 }],
    });
    if (draft.status !== 201) return;
    const invoiceId = (draft.body?.data as { id: string }).id;
    if ((await adminCall('POST', `/api/v1/billing/invoices/${invoiceId}/issue`)).status !== 200) return;
    const key = randomUUID();
    for (let attempt = 0; attempt < 10 && running; attempt++) {
      const paid = await call('POST', `/api/v1/billing/invoices/${invoiceId}/payments`, {
        token,
        body: { amountMinor: 1_000, method: 'card' },
        headers: { 'idempotency-key': key },
      });
      if (paid.status === 201 || paid.status === 200) {
        payments++;
        return;
      }
      if (paid.status > 0 && paid.status < 500) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async function client(index: number): Promise<void> {
    for (let n = 0; running; n++) {
      const input = newUserInput(`chaos${index}`);
      const registered = await call('POST', '/api/v1/auth/register', { body: input });
      if (registered.status !== 201) {
        await new Promise((resolve) => setTimeout(resolve, 100)); // a service is down: do not spin
        continue;
      }
      if (n % 10 === 0) await payingCustomer(input.email, input.password);
      else if (n % 5 === 0) {
        const token = await login(input.email, input.password);
        if (token) {
          await call('GET', '/api/v1/users/me', { token });
          await call('GET', '/api/v1/notifications', { token });
        }
      }
    }
  }

  return {
    tally,
    get payments() {
      return payments;
    },
    start() {
      running = true;
      loops = Array.from({ length: clients }, (_, i) => client(i));
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    async servedAgain(failing = []) {
      probeToken ??= await login(admin.email, admin.password, false);
      if (!probeToken) {
        failing.push('login');
        return false;
      }
      const paths = ['/api/v1/users/me', '/api/v1/billing/accounts/me', '/api/v1/notifications', '/api/v1/analytics/summary'];
      const answers = await Promise.all(paths.map((path) => call('GET', path, { token: probeToken, count: false })));
      if (answers.some((a) => a.status === 401)) probeToken = undefined;
      answers.forEach((a, i) => {
        if (!(a.status > 0 && a.status < 500)) failing.push(`${paths[i]} ${a.status}`);
      });
      return failing.length === 0;
    },
  };
}
