import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchWorkspace, workspaceRoot, type Scratch } from './support/scratch-workspace.js';

/**
 * The generator end to end (issue 15): `npx nx g @platform/tools:service` in a copy of this
 * workspace, then what a team relies on — the new service's lint, typecheck and tests (real
 * Postgres and NATS, its own databases and namespaces), `nx affected` for a change inside it, the
 * gateway routing to it, the contracts compatibility check and the AsyncAPI document. The checks
 * run concurrently: each `it` awaits its own.
 */
const name = 'loyalty';
const npx = 'npx';

type Result = { code: number | null; output: string };

/** Every file of the copy (not node_modules, not Nx's cache) and its content, as one hash. */
function fingerprint(root: string): string {
  const hash = createHash('sha256');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => !/(^|\/)(node_modules|\.nx|out-tsc)(\/|$)/.test(file))
    .sort();
  for (const file of files) if (statSync(join(root, file)).isFile()) hash.update(file).update(readFileSync(join(root, file)));
  return hash.digest('hex');
}
const tail = (result: Result, lines = 60) => result.output.split('\n').slice(-lines).join('\n');

describe(`npx nx g @platform/tools:service ${name}`, () => {
  let scratch: Scratch;
  let refused: Result;
  let before: string;
  let afterRefusal: string;
  let generated: Result;
  const checks: Record<string, Promise<Result>> = {};

  beforeAll(async () => {
    scratch = createScratchWorkspace('platform-generator-');
    // tsc's incremental state of the libraries (git-ignored): only what the generator changed is rebuilt.
    for (const lib of readdirSync(join(workspaceRoot, 'libs'))) {
      const outTsc = join(workspaceRoot, 'libs', lib, 'out-tsc');
      if (existsSync(outTsc)) cpSync(outTsc, join(scratch.root, 'libs', lib, 'out-tsc'), { recursive: true });
    }
    before = fingerprint(scratch.root);
    refused = await scratch.run(npx, ['nx', 'g', '@platform/tools:service', 'gateway', '--no-interactive'], { timeoutMs: 60_000 });
    afterRefusal = fingerprint(scratch.root);
    generated = await scratch.run(npx, ['nx', 'g', '@platform/tools:service', name, '--no-interactive'], { timeoutMs: 180_000 });
    if (generated.code !== 0) return;
    checks.project = scratch.run(npx, ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', '-p', name, '--excludeTaskDependencies', '--outputStyle=static', '--parallel=3'], { timeoutMs: 300_000 });
    checks.affected = scratch.run(npx, ['nx', 'show', 'projects', '--affected', `--files=apps/${name}/src/app.ts`, '--json'], { timeoutMs: 120_000 });
    checks.affectedBilling = scratch.run(npx, ['nx', 'show', 'projects', '--affected', '--files=apps/billing/src/app.ts', '--json'], { timeoutMs: 120_000 });
    // Seven checks share 2 cores here, so a nested test may take several times its usual time;
    // the run's own timeoutMs still bounds each one.
    const slow = ['--testTimeout=90000', '--hookTimeout=120000'];
    checks.gateway = scratch.run(npx, ['vitest', 'run', 'test/proxy.test.ts', '-t', 'routing', '--reporter=verbose', ...slow], { cwd: 'apps/gateway', timeoutMs: 240_000 });
    checks.contracts = scratch.run(npx, ['vitest', 'run', 'src/compatibility', 'src/asyncapi.test.ts', 'src/consumers', ...slow], { cwd: 'libs/contracts', timeoutMs: 240_000 });
    checks.manifests = scratch.run(npx, ['vitest', 'run', ...slow], { cwd: 'deploy', timeoutMs: 240_000 });
    checks.sync = scratch.run(npx, ['nx', 'sync:check'], { timeoutMs: 120_000 });
    checks.asyncapi = scratch.run(
      process.execPath,
      ['--conditions=@platform/source', '--import', 'tsx', '-e', "import('@platform/contracts').then((c) => console.log(JSON.stringify(c.asyncApiDocument())))"],
      { timeoutMs: 120_000 },
    );
  }, 240_000);

  afterAll(async () => {
    // Whatever is still running is killed by its own timeout; the copy goes either way.
    await Promise.allSettled(Object.values(checks));
    scratch?.remove();
  }, 330_000);

  it('refuses a reserved name with one line and writes nothing', () => {
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/Cannot create the service: "gateway" is a reserved word on this platform \([^\n]*\)\./);
    expect(afterRefusal).toBe(before);
  });

  it('writes the service, its first migration, the event snapshot and the lockfile entry', () => {
    expect(generated.code, tail(generated)).toBe(0);
    const at = (path: string) => join(scratch.root, path);
    for (const path of [`apps/${name}/src/app.ts`, `apps/${name}/src/main.ts`, `apps/${name}/drizzle/0000_init.sql`, `apps/${name}/README.md`, `apps/e2e/test/${name}.e2e.test.ts`]) {
      expect(existsSync(at(path)), path).toBe(true);
    }
    expect(readFileSync(at(`apps/${name}/drizzle/0000_init.sql`), 'utf8')).toMatch(/CREATE TABLE "items"[\s\S]*CREATE TABLE "known_users"[\s\S]*CREATE TABLE "outbox"/);
    expect(JSON.parse(readFileSync(at(`libs/contracts/schemas/${name}.item.created.v1.json`), 'utf8'))).toMatchObject({ properties: { itemId: {}, ownerId: {}, name: {} } });
    const lock = JSON.parse(readFileSync(at('package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(lock.packages[`node_modules/${name}`]).toEqual({ resolved: `apps/${name}`, link: true });
    expect(readFileSync(at('docker-compose.yml'), 'utf8')).toContain(`      LOYALTY_URL: http://${name}:3006`);
    expect(existsSync(at(`deploy/k8s/base/${name}/deployment.yaml`))).toBe(true);
  });

  it('its lint, typecheck and tests pass (tests on the real Postgres and NATS)', async () => {
    const result = await checks.project;
    expect(result?.code, result && tail(result, 120)).toBe(0);
    expect(result?.output).toMatch(new RegExp(`Successfully ran targets lint, typecheck, test for project ${name}`));
  });

  it('its TypeScript project references are what nx sync would write (npm test runs nx sync:check)', async () => {
    const result = await checks.sync;
    expect(result?.code, result && tail(result)).toBe(0);
  });

  it('a change inside it affects it and what drives every app (e2e, bench, ...), no other service or library', async () => {
    const [own, billing] = await Promise.all([checks.affected, checks.affectedBilling]);
    expect(own?.code, own && tail(own)).toBe(0);
    const projects = (result?: Result) => JSON.parse(result?.output.slice(result.output.indexOf('[')) ?? '[]') as string[];
    const affected = projects(own);
    expect(affected).toContain(name);
    expect(affected).toContain('e2e');
    // The same set a change inside billing affects, with billing swapped for the new service.
    expect(affected.filter((p) => p !== name).sort()).toEqual(projects(billing).filter((p) => p !== 'billing').sort());
  });

  it('the gateway routes /api/v1/loyalty to it', async () => {
    const result = await checks.gateway;
    expect(result?.code, result && tail(result)).toBe(0);
    expect(result?.output).toMatch(new RegExp(`forwards ${name} paths and query strings unchanged`));
  });

  it('its Kubernetes base renders in both overlays and validates (the manifest test, held to its zod config)', async () => {
    const result = await checks.manifests;
    expect(result?.code, result && tail(result)).toBe(0);
    expect(readFileSync(join(scratch.root, 'deploy/test/schemas.ts'), 'utf8')).toContain(`appFacts('${name}', ${name}EnvSchema)`);
  });

  it('the contracts compatibility check and consumer checks pass with its event and consumer', async () => {
    const result = await checks.contracts;
    expect(result?.code, result && tail(result)).toBe(0);
    expect(result?.output).toMatch(/compatibility\.test\.ts/);
  });

  it('the AsyncAPI document has its event, producer and the consumer it declared', async () => {
    const result = await checks.asyncapi;
    expect(result?.code, result && tail(result)).toBe(0);
    const doc = JSON.parse(result?.output.slice(result.output.indexOf('{')) ?? '{}') as { channels: Record<string, { address: string }>; operations: Record<string, { 'x-service'?: string }> };
    expect(Object.values(doc.channels).map((c) => c.address)).toContain(`${name}.item.created.v1`);
    expect(Object.values(doc.operations).map((o) => o['x-service'])).toContain(name);
  });
});
