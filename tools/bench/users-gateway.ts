// Users through the gateway: requests/s and latency (p50/p99) at 50 connections of
//  1. authenticated `GET /api/v1/users/me` through the gateway (edge JWT check + proxy + users),
//  2. the same request straight to the users service (the gateway's cost is the difference),
//  3. an unauthenticated gateway route (`GET /api/v1/auth/jwks.json`: proxied, no token check).
// All five processes run as `npm start` runs them (startPlatform), with the rate limits raised
// out of the way (they are per client and per user, and the load comes from one of each) and
// logs at `warn` (a line per request would measure the log pipe).
import autocannon from 'autocannon';
import { dropDatabase } from '@platform/db-kit';
import { createLogger } from '@platform/logging';
import { connectNats } from '@platform/messaging';
import { deleteNamespaceStreams } from '@platform/messaging/testing';
import { gatewayClient, signUp } from '../../apps/e2e/src/gateway-client.js';
import { services, startPlatform } from '../../apps/e2e/src/platform.js';
import type { BenchFigure, BenchScenario } from './types.js';

const SCENARIO = 'users-gateway';
const CONNECTIONS = 50;

async function measure(name: string, url: string, headers: Record<string, string>, durationSec: number, log: (m: string) => void): Promise<BenchFigure[]> {
  // A short warm-up fills the keep-alive pools and the verify caches.
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 1 });
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: durationSec });
  const failures = result.non2xx + result.errors + result.timeouts;
  log(`${name}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${failures} failed of ${result.requests.total}`);
  if (failures > 0) throw new Error(`${name}: ${failures} requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  const detail = { connections: CONNECTIONS, requests: result.requests.total };
  return [
    { scenario: SCENARIO, name: `${name} throughput`, metric: 'requests/s', value: Math.round(result.requests.average), detail },
    { scenario: SCENARIO, name: `${name} p50`, metric: 'ms', value: result.latency.p50, detail },
    { scenario: SCENARIO, name: `${name} p99`, metric: 'ms', value: result.latency.p99, detail },
  ];
}

export const usersGateway: BenchScenario = {
  name: SCENARIO,
  async run({ durationSec, log }) {
    log('starting the platform (5 processes)');
    const platform = await startPlatform({ LOG_LEVEL: 'warn', RATE_LIMIT_PER_CLIENT: '100000000', RATE_LIMIT_PER_USER: '100000000' });
    try {
      const { tokens } = await signUp(gatewayClient(platform.gatewayUrl), 'bench');
      const auth = { authorization: `Bearer ${tokens.accessToken}` };
      return [
        ...(await measure('gateway GET /api/v1/users/me', `${platform.gatewayUrl}/api/v1/users/me`, auth, durationSec, log)),
        ...(await measure('users direct GET /api/v1/users/me', `${platform.apps.users.url}/api/v1/users/me`, auth, durationSec, log)),
        ...(await measure('gateway GET /api/v1/auth/jwks.json (no token)', `${platform.gatewayUrl}/api/v1/auth/jwks.json`, {}, durationSec, log)),
      ];
    } finally {
      await platform.stop();
      await Promise.all(services.map((service) => dropDatabase(platform.databases[service]).catch(() => undefined)));
      const nats = await connectNats({ servers: 'nats://127.0.0.1:4222', name: 'bench-cleanup', logger: createLogger({ service: 'bench', level: 'silent' }) });
      await deleteNamespaceStreams(nats.jsm, platform.namespace);
      await nats.close();
    }
  },
};
