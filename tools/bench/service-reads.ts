// The services' hot read routes, called directly (no gateway), token-authenticated, each against a
// bare Fastify app answering the same JSON in the same run (the request-path pattern: load
// generator in its own process, CPU per request of the service and of its database's Postgres
// backends, 3 interleaved rounds, medians). Issue 12's goal for these routes, "within 2× the cost
// of their database round trips", is read here as: the service process's CPU per request ≤ 2 ×
// the CPU its Postgres backends spend per request, both measured in the same run; each scenario
// reports that ratio as its own figure.
//
//   billing-invoices      GET /api/v1/billing/invoices?page=1&pageSize=20   (owner: 45 invoices, 3 lines each)
//   billing-invoice       GET /api/v1/billing/invoices/:id                  (owner)
//   billing-account       GET /api/v1/billing/accounts/me
//   notifications-list    GET /api/v1/notifications?page=1&pageSize=20      (owner: 41 in-app notifications)
//   analytics-summary     GET /api/v1/analytics/summary?from&to             (admin: 30 days, partial-hour edges)
//   analytics-timeseries  GET /api/v1/analytics/timeseries?metric=signups&interval=day (admin: 90 days)
//
// Each scenario seeds a data set of its own through the services' APIs (a fresh user, their
// account, invoices issued and paid by the admin, the notifications those events cause), on the
// platform the request-path scenarios share; analytics' event log is bulk-loaded once
// (`BENCH_ANALYTICS_EVENTS`, default 200,000 events over 90 days of 2025).
import { randomUUID } from 'node:crypto';
import { gatewayClient, loginAdmin, signUp, type ApiResponse, type GatewayClient } from '../../apps/e2e/src/gateway-client.js';
import { bulkLoad } from './analytics.js';
import { pool } from './billing.js';
import { serverGroup } from './lib/cpu-meter.js';
import { benchSql } from './lib/postgres-activity.js';
import { databaseName, type ServiceName } from './lib/servers.js';
import { envNumber, median, round } from './lib/stats.js';
import { requestPathScenario, type RequestPathRig } from './request-path.js';
import type { BenchContext, BenchFigure, BenchScenario } from './types.js';

const postgresLabel = (service: ServiceName) => `postgres (${service} db)`;

/** The service and its database's backends, both compared per request. */
const serviceAndDb = (service: ServiceName) => (r: RequestPathRig) => [
  { label: service, group: serverGroup(service, r.platform.app(service).pid), comparesWith: 'bare app' },
  { label: postgresLabel(service), group: r.pg.database(postgresLabel(service), databaseName(r.platform.databases[service])) },
];

const roundsOf = (figure: BenchFigure | undefined): number[] => String(figure?.detail?.rounds ?? '').split(' / ').map(Number);

/**
 * Adds `<label>: CPU per request, <service> ÷ its Postgres`: the ratio of the two medians (the
 * goal: ≤ 2), the rounds' own ratios and their sum (the request's whole CPU) beside it.
 */
export function withDbRatio(scenario: BenchScenario, service: ServiceName): BenchScenario {
  return {
    ...scenario,
    async run(ctx) {
      const figures = await scenario.run(ctx);
      const own = figures.find((f) => f.name.endsWith(`: CPU per request, ${service}`) && f.ratio !== undefined);
      const db = figures.find((f) => f.name.endsWith(`: CPU per request, ${postgresLabel(service)}`));
      if (!own || !db) return figures;
      const label = own.name.slice(0, own.name.indexOf(': CPU per request'));
      const ownRounds = roundsOf(own);
      const dbRounds = roundsOf(db);
      const ratios = ownRounds.map((us, i) => round(us / (dbRounds[i] ?? Number.NaN), 2));
      figures.push({
        scenario: scenario.name,
        name: `${label}: CPU per request, ${service} ÷ its Postgres`,
        metric: '×',
        value: round(own.value / db.value, 2),
        detail: {
          rounds: ratios.join(' / '),
          'median of rounds': round(median(ratios), 2),
          'service + Postgres µs': own.value + db.value,
          target: '≤ 2',
        },
      });
      return figures;
    },
  };
}

/**
 * One seeding call, its data out of the envelope. A 503 (the shared Postgres out of connections
 * on a busy machine: the request did not run, or rolled back) is tried again, a few times.
 */
async function expectOk<T>(call: () => Promise<ApiResponse<T>>, what: string, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const response = await call();
    if (response.status >= 200 && response.status <= 299) return response.body.data;
    if (response.status !== 503 || attempt >= attempts) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
    await new Promise((done) => setTimeout(done, 250 * attempt));
  }
}

/** The seeded admin's token (ADMIN_EMAIL / ADMIN_PASSWORD of .env.example), once per run. */
function adminToken(r: RequestPathRig, ctx: BenchContext): Promise<string> {
  return ctx
    .shared('reads-admin', async () => ({ token: (await loginAdmin(gatewayClient(r.platform.gatewayUrl))).accessToken, stop: async () => undefined }))
    .then((a) => a.token);
}

interface BillingDataSet {
  userToken: string;
  invoiceIds: string[];
  /** In-app notifications the user should end up with: welcome, one per issued invoice, one per payment. */
  expectedNotifications: number;
}

/**
 * A fresh user with a EUR account and `invoices` invoices of three lines, created by the admin:
 * two in three issued, every other issued one paid in full (so the list holds every status but void).
 */
async function seedBilling(r: RequestPathRig, ctx: BenchContext, label: string, invoices = 45): Promise<BillingDataSet> {
  const { tokens } = await signUp(gatewayClient(r.platform.gatewayUrl), label);
  const admin = await adminToken(r, ctx);
  const billing: GatewayClient = gatewayClient(r.platform.app('billing').url);
  const account = await expectOk(() => billing.post<{ id: string }>('/api/v1/billing/accounts', { currency: 'EUR' }, { token: tokens.accessToken }), 'open account');
  let issued = 0;
  let paid = 0;
  const invoiceIds = await pool(invoices, 4, async (i) => {
    const lines = [1, 2, 3].map((n) => ({ description: `Bench line ${n}`, quantity: n, unitAmountMinor: 1000 * n }));
    const draft = await expectOk(
      () => billing.post<{ id: string; totalMinor: number }>('/api/v1/billing/invoices', { accountId: account.id, dueDate: '2030-12-31', lines }, { token: admin }),
      'create invoice',
    );
    if (i % 3 !== 0) {
      await expectOk(() => billing.post(`/api/v1/billing/invoices/${draft.id}/issue`, undefined, { token: admin }), 'issue invoice');
      issued++;
      if (i % 2 === 0) {
        const body = { amountMinor: draft.totalMinor, method: 'card' };
        const key = randomUUID(); // the same key on a retry: one payment whatever happens
        await expectOk(() => billing.post(`/api/v1/billing/invoices/${draft.id}/payments`, body, { token: tokens.accessToken, headers: { 'idempotency-key': key } }), 'pay invoice');
        paid++;
      }
    }
    return draft.id;
  });
  ctx.log(`seeded ${label}: ${invoices} invoices, ${issued} issued, ${paid} paid`);
  return { userToken: tokens.accessToken, invoiceIds, expectedNotifications: 1 + issued + paid };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface ServiceRead {
  name: string;
  /** What is read, for `--list` (e.g. `GET /invoices (owner, page of 20)`). */
  description: string;
  service: ServiceName;
  /** The route as the figures name it: `<service> <route> direct`. */
  route: string;
  connections?: number;
  /** Seeds the scenario's own data set; the path to read and the token to read it with. */
  seed(r: RequestPathRig, ctx: BenchContext): Promise<{ path: string; token: string }>;
}

/** A service's read route called directly, against the bare app, with the service ÷ Postgres figure. */
function serviceRead(read: ServiceRead): BenchScenario {
  const { service } = read;
  return withDbRatio(
    requestPathScenario({
      name: read.name,
      description: `${read.description} direct vs a bare Fastify app`,
      kind: 'direct',
      label: `${service} ${read.route} direct`,
      connections: read.connections,
      async target(r, ctx) {
        const { path, token } = await read.seed(r, ctx);
        return { url: r.platform.app(service).url, path, headers: bearer(token) };
      },
      processes: serviceAndDb(service),
    }),
    service,
  );
}

interface OwnerRead extends Omit<ServiceRead, 'seed'> {
  /** The seeded user's label and how many invoices they get (seedBilling). */
  label: string;
  invoices: number;
  /** What to read, from what was seeded. */
  path(data: BillingDataSet): string;
  /** Waits for what the read needs beyond the seeding (e.g. the consumers' effects). */
  ready?(r: RequestPathRig, data: BillingDataSet): Promise<void>;
}

/** A read by the owner of a fresh billing data set (the shape of every billing and notifications read). */
function ownerRead({ label, invoices, path, ready, ...read }: OwnerRead): BenchScenario {
  return serviceRead({
    ...read,
    async seed(r, ctx) {
      const data = await seedBilling(r, ctx, label, invoices);
      await ready?.(r, data);
      return { path: path(data), token: data.userToken };
    },
  });
}

export const billingInvoices = ownerRead({
  name: 'billing-invoices',
  description: 'billing GET /api/v1/billing/invoices (owner, page of 20 of 45, 3 lines each)',
  service: 'billing',
  route: 'GET /api/v1/billing/invoices',
  label: 'bench-invoices',
  invoices: 45,
  path: () => '/api/v1/billing/invoices?page=1&pageSize=20',
});

export const billingInvoice = ownerRead({
  name: 'billing-invoice',
  description: 'billing GET /api/v1/billing/invoices/:id (owner, 3 lines)',
  service: 'billing',
  route: 'GET /api/v1/billing/invoices/:id',
  label: 'bench-invoice',
  invoices: 6,
  path: (data) => `/api/v1/billing/invoices/${data.invoiceIds[1]}`,
});

export const billingAccount = ownerRead({
  name: 'billing-account',
  description: 'billing GET /api/v1/billing/accounts/me',
  service: 'billing',
  route: 'GET /api/v1/billing/accounts/me',
  label: 'bench-account',
  invoices: 0,
  path: () => '/api/v1/billing/accounts/me',
});

/** Waits (bounded) until the user's in-app list holds `expected` notifications: the consumers run behind the API. */
async function awaitNotifications(url: string, token: string, expected: number, timeoutMs = 120_000): Promise<void> {
  const client = gatewayClient(url);
  const deadline = Date.now() + timeoutMs;
  let total = 0;
  while (Date.now() < deadline) {
    const response = await client.get('/api/v1/notifications?pageSize=1', { token });
    total = response.body.meta?.total ?? 0;
    if (total >= expected) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`only ${total} of ${expected} notifications after ${timeoutMs} ms`);
}

export const notificationsList = ownerRead({
  name: 'notifications-list',
  description: 'notifications GET /api/v1/notifications (owner, page of 20 of 41)',
  service: 'notifications',
  route: 'GET /api/v1/notifications',
  label: 'bench-notifications',
  invoices: 30,
  ready: (r, data) => awaitNotifications(r.platform.app('notifications').url, data.userToken, data.expectedNotifications),
  path: () => '/api/v1/notifications?page=1&pageSize=20',
});

/** Analytics' event log, bulk-loaded once per run on the bench's own connection. */
function analyticsData(r: RequestPathRig, ctx: BenchContext): Promise<unknown> {
  return ctx.shared('reads-analytics-data', async () => {
    const sql = benchSql(r.platform.databases.analytics, 'bench-seed');
    try {
      await bulkLoad(sql, ctx.log, envNumber('BENCH_ANALYTICS_EVENTS', 200_000));
    } finally {
      await sql.end({ timeout: 5 });
    }
    return { stop: async () => undefined };
  });
}

// Heavier queries: fewer connections, so the run measures them rather than the pool's queue.
const ANALYTICS_CONNECTIONS = 10;

/** An admin's read of the bulk-loaded event log. */
const analyticsRead = (path: string) => async (r: RequestPathRig, ctx: BenchContext) => {
  await analyticsData(r, ctx);
  return { path, token: await adminToken(r, ctx) };
};

export const analyticsSummary = serviceRead({
  name: 'analytics-summary',
  description: 'analytics GET /api/v1/analytics/summary (admin, 30 days with partial-hour edges)',
  service: 'analytics',
  route: 'GET /api/v1/analytics/summary (30 days)',
  connections: ANALYTICS_CONNECTIONS,
  seed: analyticsRead('/api/v1/analytics/summary?from=2025-02-01T10:17:00Z&to=2025-03-03T15:42:00Z'),
});

export const analyticsTimeseries = serviceRead({
  name: 'analytics-timeseries',
  description: 'analytics GET /api/v1/analytics/timeseries (admin, signups, 90 days daily)',
  service: 'analytics',
  route: 'GET /api/v1/analytics/timeseries (90 days)',
  connections: ANALYTICS_CONNECTIONS,
  seed: analyticsRead('/api/v1/analytics/timeseries?metric=signups&interval=day&from=2025-01-01&to=2025-04-01'),
});

export const serviceReadScenarios = [billingInvoices, billingInvoice, billingAccount, notificationsList, analyticsSummary, analyticsTimeseries];
