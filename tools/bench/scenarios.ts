import { analyticsScenario } from './analytics.js';
import { billingPayments } from './billing.js';
import { consumerOverhead } from './consumer-overhead.js';
import { eventPath, relayDrain } from './event-path.js';
import { footprint } from './footprint.js';
import { requestPathScenarios } from './request-path.js';
import { serviceReadScenarios, withDbRatio } from './service-reads.js';
import { gatewayTracing } from './tracing-cost.js';
import type { BenchScenario } from './types.js';
import { v8Flags } from './v8-flags.js';
import { writePath } from './write-path.js';

// users `/me` direct is a service hot read too: it gets the service ÷ Postgres figure of the others.
const requestPath = requestPathScenarios.map((s) => (s.name === 'users-me' ? withDbRatio(s, 'users') : s));

/** Every scenario `npm run bench` runs, in order; `npm run bench -- <name>` runs some. */
export const scenarios: BenchScenario[] = [...requestPath, ...serviceReadScenarios, gatewayTracing, writePath, eventPath, relayDrain, consumerOverhead, footprint, v8Flags, billingPayments, analyticsScenario];
