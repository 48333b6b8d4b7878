import { billingPayments } from './billing.js';
import { analyticsScenario } from './analytics.js';
import type { BenchScenario } from './types.js';
import { usersGateway } from './users-gateway.js';

/** Every scenario `npm run bench` runs, in order; `npm run bench -- <name>` runs some. */
export const scenarios: BenchScenario[] = [billingPayments, usersGateway, analyticsScenario];
