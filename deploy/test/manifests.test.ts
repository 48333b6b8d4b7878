import { SHUTDOWN_TIMEOUT_MS } from '@platform/http-kit';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectlVersion, overlays, renderOverlay } from './render.ts';
import { appList, validated, type AppFacts, type Model } from './schemas.ts';

/**
 * deploy/k8s cannot drift from the code: every overlay renders, every object passes the
 * Kubernetes schema, and each app's image, ports, probes and variables agree with the app's own
 * Dockerfile, package.json and zod env schema.
 */
type Rendered = Map<string, Model>;
const key = (kind: string, name: string) => `${kind}/${name}`;

function get<T extends Model>(objects: Rendered, kind: string, name: string): T {
  const found = objects.get(key(kind, name));
  if (!found) throw new Error(`no ${kind} ${name} in the rendered overlay`);
  return found as T;
}

interface Workload {
  kind: string;
  name: string;
  pod: IPodSpec;
  labels: Record<string, string>;
}

function workloads(objects: Rendered): Workload[] {
  const out: Workload[] = [];
  for (const obj of objects.values()) {
    if (obj.kind !== 'Deployment' && obj.kind !== 'StatefulSet' && obj.kind !== 'Job') continue;
    const template = (obj as { spec: { template: { spec: IPodSpec; metadata?: { labels?: Record<string, string> } } } }).spec.template;
    out.push({ kind: obj.kind, name: obj.metadata!.name!, pod: template.spec, labels: template.metadata?.labels ?? {} });
  }
  return out;
}

/** Every variable a container gets, from `env` and from the ConfigMaps and Secrets of `envFrom`. */
function containerEnv(objects: Rendered, container: IContainer): Map<string, string> {
  const env = new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const cm = get<Extract<Model, { kind: 'ConfigMap' }>>(objects, 'ConfigMap', source.configMapRef.name!);
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(k, v);
    }
    if (source.secretRef) {
      const secret = get<Extract<Model, { kind: 'Secret' }>>(objects, 'Secret', source.secretRef.name!);
      for (const [k, v] of Object.entries(secret.stringData ?? {})) env.set(k, v);
      for (const [k, v] of Object.entries(secret.data ?? {})) env.set(k, Buffer.from(v, 'base64').toString('utf8'));
    }
  }
  for (const item of container.env ?? []) env.set(item.name, item.value ?? '');
  return env;
}

/** The volume (and its source) mounted at the folder holding `file`, if any. */
function mountFor(pod: IPodSpec, container: IContainer, file: string) {
  const mount = (container.volumeMounts ?? []).find((m) => file.startsWith(`${m.mountPath.replace(/\/$/, '')}/`));
  return mount && (pod.volumes ?? []).find((v) => v.name === mount.name);
}

const portNumber = (container: IContainer, port: number | string | undefined) =>
  typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;

/** The app's checks, the same for its Deployment and its migration Job. */
function checkAppEnv(objects: Rendered, app: AppFacts, pod: IPodSpec, container: IContainer, where: string) {
  const env = containerEnv(objects, container);
  for (const [name, value] of env) {
    const field = app.shape[name];
    expect(field, `${where} sets ${name}, which ${app.name}'s env schema does not know`).toBeDefined();
    if (name.endsWith('_FILE')) {
      // Key files are read at boot: the path must be on a mounted volume, not in the image.
      expect(mountFor(pod, container, value), `${where}: ${name}=${value} is on no mounted volume`).toBeDefined();
      continue;
    }
    const parsed = field!.safeParse(value);
    expect(parsed.success, `${where}: ${name}=${JSON.stringify(value)} is refused by ${app.name}'s schema: ${parsed.error?.message}`).toBe(true);
  }
  // What the schema requires (no default, not optional) must be set.
  for (const [name, field] of Object.entries(app.shape)) {
    if (!field.safeParse(undefined).success) expect(env.has(name), `${where} does not set ${name}, which ${app.name} requires`).toBe(true);
  }
  expect(Number(env.get('PORT') ?? app.port), `${where}: PORT`).toBe(app.port);
  return env;
}

describe.each(overlays)('deploy/k8s overlay %s', (overlay) => {
  let objects: Rendered;

  beforeAll(() => {
    kubectlVersion();
    objects = new Map();
    for (const raw of renderOverlay(overlay)) {
      const model = validated(raw);
      expect(objects.has(key(raw.kind, raw.metadata.name)), `${raw.kind} ${raw.metadata.name} twice`).toBe(false);
      objects.set(key(raw.kind, raw.metadata.name), model);
    }
  });

  it('renders objects that all pass the Kubernetes schema, in one namespace', () => {
    expect(objects.size).toBeGreaterThan(30);
    const namespaces = new Set([...objects.values()].map((o) => o.metadata?.namespace));
    expect(namespaces.size).toBe(1);
    expect([...namespaces][0]).toMatch(/^platform/);
  });

  it.each(appList.map((a) => [a.name, a] as const))('%s: image, ports, probes, variables, drain agree with the app', (_name, app) => {
    expect(app.exposed, `tools/docker/Dockerfile EXPOSE \${PORT} with ${app.name}'s docker:build port`).toBe(app.port);
    const deployment = get<Extract<Model, { kind: 'Deployment' }>>(objects, 'Deployment', app.name);
    const pod = deployment.spec!.template.spec!;
    expect(pod.containers).toHaveLength(1);
    const container = pod.containers[0]!;
    expect(container.image!.split(':')[0], 'image').toMatch(new RegExp(`(^|/)${app.image}$`));
    expect(container.image!.split(':')[1], 'image tag').toBeTruthy();
    expect(container.ports?.map((p) => p.containerPort)).toEqual([app.port]);
    expect(container.livenessProbe?.httpGet?.path).toBe('/health');
    expect(container.readinessProbe?.httpGet?.path).toBe('/ready');
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      if (probe) expect(portNumber(container, probe.httpGet?.port)).toBe(app.port);
    }
    expect(container.resources?.requests).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
    expect(container.resources?.limits).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });

    const env = checkAppEnv(objects, app, pod, container, `Deployment ${app.name}`);

    // preStop covers the drain delay; the grace period covers preStop plus the whole shutdown.
    const drainMs = app.shape['SHUTDOWN_DRAIN_DELAY_MS']!.parse(env.get('SHUTDOWN_DRAIN_DELAY_MS')) as number;
    const [sleep, seconds] = container.lifecycle?.preStop?.exec?.command ?? [];
    expect(sleep).toBe('sleep');
    expect(Number(seconds) * 1000).toBeGreaterThanOrEqual(drainMs);
    expect(drainMs, 'a drain delay behind a load balancer').toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThanOrEqual(Number(seconds) * 1000 + SHUTDOWN_TIMEOUT_MS);

    const service = get<Extract<Model, { kind: 'Service' }>>(objects, 'Service', app.name);
    expect(service.spec?.selector).toEqual({ 'app.kubernetes.io/name': app.name });
    expect(deployment.spec!.template.metadata?.labels).toMatchObject(service.spec!.selector!);
    expect(service.spec?.ports?.map((p) => [p.port, portNumber(container, p.targetPort)])).toEqual([[app.port, app.port]]);

    const hpa = get<Extract<Model, { kind: 'HorizontalPodAutoscaler' }>>(objects, 'HorizontalPodAutoscaler', app.name);
    expect(hpa.spec?.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: app.name });
    expect(hpa.spec!.minReplicas!).toBeLessThanOrEqual(hpa.spec!.maxReplicas);
    const pdb = get<Extract<Model, { kind: 'PodDisruptionBudget' }>>(objects, 'PodDisruptionBudget', app.name);
    expect(deployment.spec!.template.metadata?.labels).toMatchObject(pdb.spec!.selector!.matchLabels!);
  });

  it.each(appList.filter((a) => a.name !== 'gateway').map((a) => [a.name, a] as const))(
    '%s: a migration Job runs the same image with --migrate and the same variables',
    (_name, app) => {
      const job = get<Extract<Model, { kind: 'Job' }>>(objects, 'Job', `${app.name}-migrate`);
      const deployment = get<Extract<Model, { kind: 'Deployment' }>>(objects, 'Deployment', app.name);
      const pod = job.spec!.template.spec!;
      const container = pod.containers[0]!;
      expect(container.image).toBe(deployment.spec!.template.spec!.containers[0]!.image);
      expect(container.command?.at(-1)).toBe('--migrate');
      expect(container.envFrom).toEqual(deployment.spec!.template.spec!.containers[0]!.envFrom);
      checkAppEnv(objects, app, pod, container, `Job ${app.name}-migrate`);
    },
  );

  it('runs every container as non-root on a read-only root filesystem', () => {
    const list = workloads(objects);
    expect(list.length).toBeGreaterThanOrEqual(10);
    for (const w of list) {
      expect(w.pod.securityContext?.runAsNonRoot, `${w.kind} ${w.name} runAsNonRoot`).toBe(true);
      expect(w.pod.securityContext?.runAsUser, `${w.kind} ${w.name} runAsUser`).toBeGreaterThan(0);
      for (const c of w.pod.containers) {
        expect(c.securityContext?.readOnlyRootFilesystem, `${w.name}/${c.name} readOnlyRootFilesystem`).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, `${w.name}/${c.name} allowPrivilegeEscalation`).toBe(false);
        expect(c.securityContext?.capabilities?.drop, `${w.name}/${c.name} capabilities`).toContain('ALL');
      }
    }
    // The images run as the node image's `node` user (uid 1000), the uid the pods ask for.
    for (const app of appList) expect(app.user).toBe('node');
    for (const w of list.filter((x) => x.kind !== 'StatefulSet')) expect(w.pod.securityContext?.runAsUser).toBe(1000);
  });

  it('mounts the JWT private key in the users service only', () => {
    const holders = [...objects.values()].filter(
      (o) => o.kind === 'Secret' && JSON.stringify((o as { stringData?: unknown }).stringData ?? {}).includes('PRIVATE KEY'),
    );
    expect(holders.map((s) => s.metadata?.name)).toEqual(['users-jwt-private-key']);
    const users = appList.find((a) => a.name === 'users')!;
    for (const w of workloads(objects)) {
      const mountsKey = (w.pod.volumes ?? []).some((v) => v.secret?.secretName === 'users-jwt-private-key');
      const readsKey = w.pod.containers.some((c) => (c.envFrom ?? []).some((s) => s.secretRef?.name === 'users-jwt-private-key'));
      expect(readsKey, `${w.name} takes the private key as variables`).toBe(false);
      expect(mountsKey, `${w.kind} ${w.name} mounts the private key`).toBe(w.labels['app.kubernetes.io/name']?.startsWith('users') ?? false);
      if (mountsKey) {
        const env = containerEnv(objects, w.pod.containers[0]!);
        const volume = mountFor(w.pod, w.pod.containers[0]!, env.get('JWT_PRIVATE_KEY_FILE') ?? '');
        expect(volume?.secret?.secretName, `${w.name}: JWT_PRIVATE_KEY_FILE is on the Secret`).toBe('users-jwt-private-key');
        expect(users.shape['JWT_PRIVATE_KEY_FILE']).toBeDefined();
      }
    }
  });

  it('points every URL variable at a Service of the overlay, and keeps no more stream replicas than NATS nodes', () => {
    const services = new Set([...objects.values()].filter((o) => o.kind === 'Service').map((o) => o.metadata!.name!));
    const nats = get<Extract<Model, { kind: 'StatefulSet' }>>(objects, 'StatefulSet', 'nats');
    const natsNodes = nats.spec!.replicas!;
    const conf = get<Extract<Model, { kind: 'ConfigMap' }>>(objects, 'ConfigMap', 'nats-config').data!['nats.conf']!;
    for (const app of appList) {
      const container = get<Extract<Model, { kind: 'Deployment' }>>(objects, 'Deployment', app.name).spec!.template.spec!.containers[0]!;
      const env = containerEnv(objects, container);
      for (const [name, value] of env) {
        if (!/_URL$/.test(name) || name === 'SMTP_URL') continue;
        for (const url of value.split(',')) {
          const host = new URL(url.trim()).hostname;
          const service = /^nats-\d+\.nats-headless$/.test(host) ? 'nats-headless' : host;
          expect(services.has(service), `${app.name} ${name} → ${host}: no such Service`).toBe(true);
          const ordinal = /^nats-(\d+)\./.exec(host)?.[1];
          if (ordinal) expect(Number(ordinal)).toBeLessThan(natsNodes);
        }
      }
      if (env.has('EVENT_STREAM_REPLICAS')) expect(Number(env.get('EVENT_STREAM_REPLICAS'))).toBeLessThanOrEqual(natsNodes);
    }
    // A cluster lists a route to every node; a single node has none.
    const routes = conf.match(/nats-\d+\.nats-headless:6222/g) ?? [];
    expect(routes).toHaveLength(natsNodes > 1 ? natsNodes : 0);
  });

  if (overlay === 'production') {
    it('production: a 3-node NATS cluster that fsyncs every write, R3 streams, 3 replicas of each app', () => {
      const nats = get<Extract<Model, { kind: 'StatefulSet' }>>(objects, 'StatefulSet', 'nats');
      expect(nats.spec?.replicas).toBe(3);
      const conf = get<Extract<Model, { kind: 'ConfigMap' }>>(objects, 'ConfigMap', 'nats-config').data!['nats.conf']!;
      expect(conf).toMatch(/sync_interval:\s*always/);
      expect(get<Extract<Model, { kind: 'ConfigMap' }>>(objects, 'ConfigMap', 'platform-services').data?.['EVENT_STREAM_REPLICAS']).toBe('3');
      for (const app of appList) {
        expect(get<Extract<Model, { kind: 'Deployment' }>>(objects, 'Deployment', app.name).spec?.replicas).toBe(3);
        expect(get<Extract<Model, { kind: 'HorizontalPodAutoscaler' }>>(objects, 'HorizontalPodAutoscaler', app.name).spec?.minReplicas).toBe(3);
      }
    });
  }
});
