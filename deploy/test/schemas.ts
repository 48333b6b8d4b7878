import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { z } from 'zod';
import { analyticsEnvSchema } from '../../apps/analytics/src/config.ts';
import { billingEnvSchema } from '../../apps/billing/src/config.ts';
import { gatewayEnvSchema } from '../../apps/gateway/src/config.ts';
import { notificationsEnvSchema } from '../../apps/notifications/src/config.ts';
import { usersEnvSchema } from '../../apps/users/src/config.ts';
import type { K8sObject } from './render.ts';

/** Every kind the manifests may contain, with the model that validates it against the Kubernetes schema. */
const models = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
} as const;

export type Model = InstanceType<(typeof models)[keyof typeof models]>;

/** The object as its kubernetes-models class; throws on an unknown kind or a schema violation. */
export function validated(obj: K8sObject): Model {
  const Model = models[`${obj.apiVersion}/${obj.kind}` as keyof typeof models];
  if (!Model) throw new Error(`${obj.kind} ${obj.metadata.name}: ${obj.apiVersion}/${obj.kind} is not a kind the manifests use`);
  const model = new Model(obj as never);
  model.validate();
  return model;
}

const root = join(import.meta.dirname, '..', '..');
type EnvShape = Record<string, z.ZodType>;

export interface AppFacts {
  name: string;
  /** The app's env schema (what `loadConfig` validates at boot). */
  shape: EnvShape;
  /** PORT's default in the schema. */
  port: number;
  /** The image `nx docker:build <app>` tags (nx.json's target default, `-t <image>:latest`). */
  image: string;
  /** The port the image exposes: the app's `docker:build` `port` option, given to the Dockerfile's `EXPOSE ${PORT}`. */
  exposed: number;
  /** The Dockerfile's `USER` (node:20-slim's `node` is uid 1000). */
  user: string;
}

const readJson = <T>(...path: string[]) => JSON.parse(readFileSync(join(root, ...path), 'utf8')) as T;
type Targets = Record<string, { options?: { command?: string; port?: number } }>;

function appFacts(name: string, schema: { shape: EnvShape }): AppFacts {
  const dockerfile = readFileSync(join(root, 'tools', 'docker', 'Dockerfile'), 'utf8');
  const command = readJson<{ targetDefaults: Targets }>('nx.json').targetDefaults['docker:build']?.options?.command ?? '';
  const options = readJson<{ nx: { targets: Targets } }>('apps', name, 'package.json').nx.targets['docker:build']?.options;
  return {
    name,
    shape: schema.shape,
    port: schema.shape['PORT']?.parse(undefined) as number,
    image: /-t (\S+?):\S+/.exec(command.replaceAll('{projectName}', name))?.[1] ?? '(no -t in nx.json docker:build)',
    exposed: /^EXPOSE \$\{PORT\}$/m.test(dockerfile) ? Number(options?.port) : Number.NaN,
    user: /^USER (\S+)/m.exec(dockerfile)?.[1] ?? 'root',
  };
}

export const appList: AppFacts[] = [
  appFacts('gateway', gatewayEnvSchema),
  appFacts('users', usersEnvSchema),
  appFacts('billing', billingEnvSchema),
  appFacts('notifications', notificationsEnvSchema),
  appFacts('analytics', analyticsEnvSchema),
];

