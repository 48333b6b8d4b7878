import { loadEnvFiles, serviceEnv } from '@platform/config';
// The subpath, not the barrel: the gateway has no database nor NATS, and the barrel's
// createService would bring postgres, drizzle and the NATS client into its bundle.
import { runService } from '@platform/service-kit/run-service';
import { buildApp } from './app.js';
import { loadGatewayConfig } from './config.js';

loadEnvFiles(import.meta.dirname);
const config = loadGatewayConfig(serviceEnv('gateway'));
await runService('gateway', () => buildApp(config), config);
