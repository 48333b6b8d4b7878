// @ts-check
// The edits a new service makes outside its own folder. Each one finds a clear anchor in a file
// and inserts next to it; a missing anchor throws (before anything is written) and names the file.

/** @typedef {import('@nx/devkit').Tree} Tree */
/** @typedef {ReturnType<typeof import('./names.cjs').spellings>} Names */

/**
 * @param {Tree} tree
 * @param {string} path
 * @param {(text: string) => string} change
 */
function edit(tree, path, change) {
  const before = tree.read(path, 'utf-8');
  if (before === null) throw new Error(`${path} is missing: the generator edits it`);
  const after = change(before);
  if (after === before) throw new Error(`${path}: the anchor the generator inserts at was not found`);
  tree.write(path, after);
}

/**
 * Inserts `line` after the last line matching `pattern` (keeps lists in their order).
 * @param {string} text
 * @param {RegExp} pattern
 * @param {string} line
 */
function afterLast(text, pattern, line) {
  const lines = text.split('\n');
  let index = -1;
  lines.forEach((l, i) => {
    if (pattern.test(l)) index = i;
  });
  if (index === -1) return text;
  lines.splice(index + 1, 0, line);
  return lines.join('\n');
}

/**
 * Inserts `insertion` right before the first occurrence of `anchor`.
 * @param {string} text
 * @param {string} anchor
 * @param {string} insertion
 */
function before(text, anchor, insertion) {
  const at = text.indexOf(anchor);
  return at === -1 ? text : text.slice(0, at) + insertion + text.slice(at);
}

/** A key as TypeScript writes it: bare when it is an identifier, quoted otherwise. */
const key = (/** @type {string} */ name) => (/^[a-z][a-z0-9]*$/.test(name) ? name : `'${name}'`);

/**
 * The local ports taken: every app's in `npm start`'s list.
 * @param {Tree} tree
 */
function takenPorts(tree) {
  const start = tree.read('tools/scripts/start.mjs', 'utf-8') ?? '';
  return [...start.matchAll(/\{ name: '[^']+', port: (\d+) \}/g)].map((m) => Number(m[1]));
}

/** @type {Array<[string, (tree: Tree, n: Names, port: number) => void]>} */
const edits = [
  [
    'gateway upstream table',
    (tree, n, port) =>
      edit(tree, 'apps/gateway/src/upstreams.ts', (t) =>
        before(t, '} as const satisfies Record<string, UpstreamDefinition>;', `  ${key(n.name)}: { defaultUrl: 'http://127.0.0.1:${port}', prefixes: ['/api/v1/${n.name}'] },\n`),
      ),
  ],
  [
    'npm start process list',
    (tree, n, port) => edit(tree, 'tools/scripts/start.mjs', (t) => afterLast(t, /^ {2}\{ name: '[^']+', port: \d+ \},$/, `  { name: '${n.name}', port: ${port} },`)),
  ],
  [
    '.env.example',
    (tree, n, port) =>
      edit(tree, '.env.example', (t) => {
        let out = afterLast(t, /^[A-Z_]+_PORT=\d+$/, `${n.constant}_PORT=${port}`);
        out = afterLast(out, /^[A-Z_]+_DATABASE_URL=postgres:/, `${n.constant}_DATABASE_URL=postgres://postgres@127.0.0.1:5432/${n.snake}`);
        return afterLast(out, /^[A-Z_]+_URL=http:\/\/127\.0\.0\.1:\d+$/, `${n.constant}_URL=http://127.0.0.1:${port}`);
      }),
  ],
  [
    'docker compose',
    (tree, n, port) =>
      edit(tree, 'docker-compose.yml', (t) => {
        const service = [
          `  ${n.name}:`,
          '    <<: *service',
          `    build: { context: ., dockerfile: tools/docker/Dockerfile, args: { APP: ${n.name}, PORT: "${port}" } }`,
          `    image: platform/${n.name}`,
          '    environment:',
          '      <<: *service-env',
          `      PORT: "${port}"`,
          `      DATABASE_URL: postgres://postgres:postgres@postgres:5432/${n.snake}`,
          '    ports:',
          `      - "${port}:${port}"`,
          '',
          '',
        ].join('\n');
        let out = before(t, '  gateway:\n', service);
        out = afterLast(out, /^ {6}[A-Z_]+_URL: http:\/\/[a-z-]+:\d+$/, `      ${n.constant}_URL: http://${n.name}:${port}`);
        return before(out, '\nvolumes:', `      ${n.name}:\n        condition: service_healthy\n`);
      }),
  ],
  ['compose databases', (tree, n) => edit(tree, 'tools/docker/postgres-init.sql', (t) => `${t.trimEnd()}\nCREATE DATABASE ${n.snake};\n`)],
  [
    'e2e harness',
    (tree, n) => {
      edit(tree, 'apps/e2e/src/platform.ts', (t) => t.replace(/(export const services = \[[^\]]*)\] as const;/, `$1, '${n.name}'] as const;`));
      edit(tree, 'apps/e2e/package.json', (t) => {
        const pkg = JSON.parse(t);
        pkg.nx.implicitDependencies = [...(pkg.nx.implicitDependencies ?? []), n.name];
        return `${JSON.stringify(pkg, null, 2)}\n`;
      });
    },
  ],
  [
    'contracts: stream',
    (tree, n) =>
      edit(tree, 'libs/contracts/src/streams.ts', (t) =>
        before(t, '} as const satisfies Record<string, StreamDefinition>;', `  ${n.snake}: { name: '${n.constant}', subjects: ['${n.snake}.>'] },\n`),
      ),
  ],
  [
    'contracts: event registry',
    (tree, n) => {
      const contract = n.contract;
      edit(tree, 'libs/contracts/src/registry.ts', (t) => {
        const imported = before(t, '\nexport const allEventContracts', `import { ${contract} } from './events/${n.name}.js';\n`);
        return imported.replace(/(export const allEventContracts = \[[\s\S]*?)\n\] as const;/, `$1\n  ${contract},\n] as const;`);
      });
      edit(tree, 'libs/contracts/src/testing/index.ts', (t) =>
        t.replace(
          /(export const sampleEventData: SampleData = \{[\s\S]*?)\n\};/,
          `$1\n  '${n.eventType}': () => ({ ${n.entity}Id: randomUUID(), ownerId: randomUUID(), name: 'Sample ${n.entity}' }),\n};`,
        ),
      );
      edit(tree, 'libs/contracts/src/index.ts', (t) => afterLast(t, /^export \* from '\.\/events\//, `export * from './events/${n.name}.js';`));
    },
  ],
  [
    'contracts: consumers',
    (tree, n) => {
      edit(tree, 'libs/contracts/src/consumers/declare-consumer.ts', (t) => t.replace(/(export type ConsumingService = [^;]+);/, `$1 | '${n.name}';`));
      edit(tree, 'libs/contracts/src/consumers/index.ts', (t) => {
        let out = before(t, "import type { ConsumerDeclaration }", `import { ${n.camel}Consumers } from './${n.name}.js';\n`);
        out = out.replace(/export \{ ([^}]+) \};/, `export { $1, ${n.camel}Consumers };`);
        return out.replace(/(export const allConsumers: readonly ConsumerDeclaration\[\] = \[[\s\S]*?)\n\];/, `$1\n  ...Object.values(${n.camel}Consumers),\n];`);
      });
    },
  ],
  [
    'module boundaries',
    (tree, n) =>
      edit(tree, 'eslint.config.mjs', (t) => {
        const constraint = `            { sourceTag: 'scope:${n.name}', onlyDependOnLibsWithTags: ['scope:shared', 'scope:${n.name}'] },\n`;
        const out = before(t, "            { sourceTag: 'scope:e2e'", constraint);
        const withApp = out.replace(/(regex: '\^\([a-z0-9|-]+)\|e2e\)/, `$1|${n.name}|e2e)`);
        // The new subject prefix and entity join the "no event type as a string literal" rule.
        return withApp.replace(/\/\^\(([a-z0-9_|]+)\)\\\\\.\(([a-z0-9_|]+)\)/g, `/^($1|${n.snake})\\\\.($2|${n.entity})`);
      }),
  ],
  [
    'TypeScript project references',
    (tree, n) =>
      edit(tree, 'tsconfig.json', (t) => {
        const config = JSON.parse(t);
        config.references = [...config.references, { path: `./apps/${n.name}` }];
        return `${JSON.stringify(config, null, 2)}\n`;
      }),
  ],
];

/**
 * The last Deployment and HorizontalPodAutoscaler patches of an overlay's scale.yaml, repeated for
 * the new app: it scales like the services before it.
 * @param {string} text
 * @param {string} name
 */
function scaleLike(text, name) {
  const docs = text.trimEnd().split('\n---\n');
  const last = (/** @type {string} */ kind) => [...docs].reverse().find((doc) => doc.includes(`kind: ${kind}`));
  const copies = [last('Deployment'), last('HorizontalPodAutoscaler')].filter((doc) => doc !== undefined);
  if (copies.length !== 2) return text;
  return `${text.trimEnd()}\n${copies.map((doc) => `---\n${doc.replace(/^ {2}name: \S+$/m, `  name: ${name}`)}`).join('\n')}\n`;
}

/** The Kubernetes base and overlays (deploy/k8s) and the manifest test's list of apps. @type {typeof edits} */
const kubernetesEdits = [
  ['kustomize base', (tree, n) => edit(tree, 'deploy/k8s/base/kustomization.yaml', (t) => afterLast(t, /^ {2}- [a-z0-9-]+$/, `  - ${n.name}`))],
  [
    'gateway config map',
    (tree, n, port) => edit(tree, 'deploy/k8s/base/gateway/configmap.yaml', (t) => afterLast(t, /^ {2}[A-Z_]+_URL: http:\/\/[a-z0-9-]+:\d+$/, `  ${n.constant}_URL: http://${n.name}:${port}`)),
  ],
  [
    'dev overlay',
    (tree, n) => {
      edit(tree, 'deploy/k8s/overlays/dev/kustomization.yaml', (t) => afterLast(t, /^ {4}newTag: dev$/, `  - name: platform/${n.name}\n    newTag: dev`));
      edit(tree, 'deploy/k8s/overlays/dev/scale.yaml', (t) => scaleLike(t, n.name));
    },
  ],
  [
    'production overlay',
    (tree, n) => {
      edit(tree, 'deploy/k8s/overlays/production/kustomization.yaml', (t) => {
        const tag = /^ {4}newTag: (\S+)$/m.exec(t)?.[1] ?? '"1.0.0"';
        return afterLast(t, /^ {4}newTag: /, `  - name: platform/${n.name}\n    newName: registry.example.com/platform/${n.name}\n    newTag: ${tag}`);
      });
      edit(tree, 'deploy/k8s/overlays/production/scale.yaml', (t) => scaleLike(t, n.name));
    },
  ],
  [
    'manifest test',
    (tree, n) =>
      edit(tree, 'deploy/test/schemas.ts', (t) => {
        const imported = afterLast(t, /^import \{ \w+EnvSchema \} from '\.\.\/\.\.\/apps\//, `import { ${n.camel}EnvSchema } from '../../apps/${n.name}/src/config.ts';`);
        const listed = imported.replace(/(export const appList: AppFacts\[\] = \[[\s\S]*?)\n\];/, `$1\n  appFacts('${n.name}', ${n.camel}EnvSchema),\n];`);
        // Variables the shared service config map sets ahead of the schemas apply to it as to billing.
        return listed.replace(/^( {2}billing: (\[[^\]\n]*\]),)$/m, `$1\n  ${key(n.name)}: $2,`);
      }),
  ],
];

module.exports = { edits, kubernetesEdits, takenPorts };
