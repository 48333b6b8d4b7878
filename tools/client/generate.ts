// `npm run client:generate`: regenerates libs/client from the gateway's merged OpenAPI document.
// By default it starts the whole platform the way the e2e tests do (every service's real entry
// point, free ports, throw-away databases and event namespace; needs the local Postgres and
// NATS), reads GET /openapi.json from the gateway and stops it again. `-- --from <gateway URL>`
// reads a gateway that is already running instead (docs must be enabled there).
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkedInDocument, clientRoot, describeOperationDrift, renderClientSources, staleClientSources, type OpenApiDocument } from '@platform/client/testing';
import { dropDatabase } from '@platform/db-kit';
import { ERROR_CODES } from '@platform/http-kit';
import { createLogger } from '@platform/logging';
import { connectNats } from '@platform/messaging';
import { deleteNamespaceStreams } from '@platform/messaging/testing';
import { services, startPlatform, type Platform } from '../../apps/e2e/src/platform.js';

async function fetchDocument(gatewayUrl: string): Promise<OpenApiDocument> {
  const response = await fetch(new URL('/openapi.json', gatewayUrl), { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${gatewayUrl}/openapi.json answered ${response.status} (are docs enabled on that gateway?)`);
  return (await response.json()) as OpenApiDocument;
}

async function removePlatform(platform: Platform): Promise<void> {
  await platform.stop();
  await Promise.all(services.map((service) => dropDatabase(platform.databases[service]).catch(() => undefined)));
  const nats = await connectNats({ servers: 'nats://127.0.0.1:4222', name: 'client-generate', logger: createLogger({ service: 'client-generate', level: 'silent' }) });
  await deleteNamespaceStreams(nats.jsm, platform.namespace);
  await nats.close();
}

async function servedDocument(from: string | undefined): Promise<OpenApiDocument> {
  if (from) return fetchDocument(from);
  console.log('starting the platform (5 processes) to read its merged OpenAPI document');
  const platform = await startPlatform({ LOG_LEVEL: 'warn' });
  try {
    return await fetchDocument(platform.gatewayUrl);
  } finally {
    await removePlatform(platform);
  }
}

const { values } = parseArgs({ options: { from: { type: 'string' } } });
const document = await servedDocument(values.from);
const drift = describeOperationDrift(checkedInDocument(), document);
const rendered = await renderClientSources(document, ERROR_CODES);
const stale = staleClientSources(rendered);
for (const path of stale) {
  const target = join(clientRoot, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, rendered[path]);
}
if (stale.length === 0) console.log('libs/client is up to date with the gateway');
else console.log([`rewrote ${stale.map((path) => `libs/client/${path}`).join(', ')}`, ...drift.map((line) => `  ${line}`), 'commit them with the change that caused them'].join('\n'));
