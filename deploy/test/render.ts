import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const k8sDir = join(import.meta.dirname, '..', 'k8s');
export const overlays = readdirSync(join(k8sDir, 'overlays'));

/** A rendered object, loosely typed: the schema check below is what gives it a shape. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** `kubectl` (Debian's `kubernetes-client`, or any newer one) is the renderer: its built-in kustomize. */
export function kubectlVersion(): string {
  try {
    return execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error('kubectl is not installed: apt-get install -y kubernetes-client (.ci/run installs it)', { cause: err });
  }
}

/** `kubectl kustomize deploy/k8s/overlays/<name>`, parsed. */
export function renderOverlay(name: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', join(k8sDir, 'overlays', name)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null);
}
