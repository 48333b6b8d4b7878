#!/usr/bin/env node
// Proves the module-boundary rules really bite: lints forbidden snippets with the root ESLint
// config as if they sat inside a project (nothing is written to disk) and fails if any of them
// passes, or if a legitimate import is flagged. Run by `npm test`.
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { root } from './lib/workspace.mjs';

const boundaryRules = new Set(['@nx/enforce-module-boundaries', 'no-restricted-imports']);

const graph = await createProjectGraphAsync({ exitOnError: true });
const projects = Object.values(graph.nodes).map((node) => ({
  name: node.name,
  root: node.data.root,
  tags: node.data.tags ?? [],
  packageName: node.data.metadata?.js?.packageName ?? node.name,
}));
const has = (tag) => (p) => p.tags.includes(tag);
const scopeOf = (p) => p.tags.find((t) => t.startsWith('scope:'));
const apps = projects.filter(has('type:app')).sort((a, b) => a.name.localeCompare(b.name));
const libs = projects.filter(has('type:lib')).sort((a, b) => a.name.localeCompare(b.name));
const sharedLib = libs.find(has('scope:shared'));

/** One probe: a snippet linted as `<project>/src/__boundary-probe__.ts`. */
const probe = (description, from, code, expectViolation) => ({ description, from, code, expectViolation });
const cases = [];
apps.forEach((app, i) => {
  const other = apps[(i + 1) % apps.length];
  cases.push(
    probe(`${app.name} imports ${other.name} by relative path`, app, `import '../../${other.name}/src/main.js';`, true),
    probe(`${app.name} imports ${other.name} by package subpath`, app, `import '${other.packageName}/src/main.js';`, true),
    probe(`${app.name} imports ${other.name} by package name`, app, `import '${other.packageName}';`, true),
  );
  if (sharedLib) {
    cases.push(probe(`${app.name} imports shared ${sharedLib.packageName} (allowed)`, app, `import '${sharedLib.packageName}';`, false));
  }
});
for (const lib of libs) {
  if (apps[0]) cases.push(probe(`${lib.name} imports app ${apps[0].name}`, lib, `import '${apps[0].packageName}/src/main.js';`, true));
  const scope = scopeOf(lib);
  if (!scope || scope === 'scope:shared') continue;
  for (const app of apps) {
    const allowed = scopeOf(app) === scope;
    cases.push(probe(`${app.name} imports ${scope} lib ${lib.packageName}${allowed ? ' (allowed)' : ''}`, app, `import '${lib.packageName}';`, !allowed));
  }
}
if (!libs.some((lib) => scopeOf(lib) && scopeOf(lib) !== 'scope:shared')) {
  console.log('note: no service-owned (scope:<service>) library exists yet; those probes start once one does');
}

const eslint = new ESLint({ cwd: root });
let failures = 0;
for (const c of cases) {
  const filePath = join(root, c.from.root, 'src', '__boundary-probe__.ts');
  const [result] = await eslint.lintText(`${c.code}\n`, { filePath });
  const violations = result.messages.filter((m) => boundaryRules.has(m.ruleId));
  const fatal = result.messages.filter((m) => m.fatal);
  const ok = fatal.length === 0 && violations.length > 0 === c.expectViolation;
  if (!ok) failures += 1;
  const why = ((fatal[0] ?? violations[0])?.message ?? 'no boundary error').split('\n')[0];
  console.log(`${ok ? '✓' : '✗'} ${c.description}: ${c.expectViolation ? 'rejected' : 'accepted'} expected — ${why}`);
}
console.log(`boundaries: ${cases.length - failures} of ${cases.length} probes behaved`);
process.exit(failures ? 1 : 0);
