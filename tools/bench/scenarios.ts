import { analyticsScenario } from './analytics.js';
import { billingPayments } from './billing.js';
import { consumerOverhead } from './consumer-overhead.js';
import { eventPath, relayDrain } from './event-path.js';
import { footprint } from './footprint.js';
import { requestPathScenarios } from './request-path.js';
import { gatewayTracing } from './tracing-cost.js';
import type { BenchScenario } from './types.js';
import { writePath } from './write-path.js';

/** Every scenario `npm run bench` runs, in order; `npm run bench -- <name>` runs some. */
export const scenarios: BenchScenario[] = [...requestPathScenarios, gatewayTracing, writePath, eventPath, relayDrain, consumerOverhead, footprint, billingPayments, analyticsScenario];
