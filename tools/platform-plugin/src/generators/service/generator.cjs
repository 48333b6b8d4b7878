// @ts-check
// `npx nx g @platform/tools:service <name>`: a new service in the platform's one shape (see the
// plugin's README). Everything goes through the devkit Tree, which Nx writes to disk only when the
// generator returns: a refused name or a missing anchor throws first and leaves the disk untouched.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { generateFiles, getProjects, logger } = require('@nx/devkit');
const { entityProblem, nameProblem, spellings } = require('./names.cjs');
const { edits, kubernetesEdits, takenPorts } = require('./workspace-edits.cjs');

/** @typedef {{ name: string, entity?: string, port?: number, skipInstall?: boolean }} ServiceSchema */

/**
 * @param {import('@nx/devkit').Tree} tree
 * @returns {{ projects: Set<string>, paths: Set<string> }}
 */
function takenNames(tree) {
  const projects = new Set();
  for (const [name, project] of getProjects(tree)) {
    projects.add(name);
    projects.add(path.basename(project.root));
  }
  const paths = new Set([...tree.children('apps'), ...tree.children('libs')]);
  return { projects, paths };
}

/**
 * @param {import('@nx/devkit').Tree} tree
 * @param {ServiceSchema} options
 */
async function serviceGenerator(tree, options) {
  const entity = options.entity ?? 'item';
  const problem = nameProblem(options.name, takenNames(tree)) ?? entityProblem(entity);
  // One line, no stack: Nx prints the message of what the generator throws.
  if (problem) throw new Error(`Cannot create the service: ${problem}.`);

  const names = spellings(options.name, entity);
  const ports = takenPorts(tree);
  const port = options.port ?? Math.max(3000, ...ports) + 1;
  if (ports.includes(port)) throw new Error(`Cannot create the service: port ${port} is already an app's.`);

  // The service-specific Prometheus series, where the workspace has libs/metrics (every app's /metrics).
  const metrics = tree.exists('libs/metrics/package.json');
  const values = { ...names, port, metrics, tmpl: '' };
  generateFiles(tree, path.join(__dirname, 'files', 'app'), `apps/${names.name}`, values);
  if (metrics) generateFiles(tree, path.join(__dirname, 'files', 'metrics'), `apps/${names.name}`, values);
  generateFiles(tree, path.join(__dirname, 'files', 'contracts'), 'libs/contracts/src', values);
  generateFiles(tree, path.join(__dirname, 'files', 'e2e'), 'apps/e2e/test', values);
  for (const [, apply] of edits) apply(tree, names, port);
  // The Kubernetes manifests, where the workspace has them (deploy/k8s: a base per app, dev and production overlays).
  if (tree.exists('deploy/k8s/base/kustomization.yaml')) {
    generateFiles(tree, path.join(__dirname, 'files', 'k8s'), `deploy/k8s/base/${names.name}`, values);
    for (const [, apply] of kubernetesEdits) apply(tree, names, port);
  }

  if (options.skipInstall) return undefined;
  // After the files are on disk: the first migration from the drizzle schema (drizzle-kit itself),
  // the new event's recorded JSON Schema, the new workspace in the lockfile, and the TypeScript
  // project references as `nx sync` keeps them (what `npm test`'s sync:check compares).
  return () => {
    const root = tree.root;
    const run = (/** @type {string} */ title, /** @type {string} */ command, /** @type {string[]} */ args, cwd = root) => {
      logger.info(`${title}: ${command} ${args.join(' ')}`);
      execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '--conditions=@platform/source' }, timeout: 180_000 });
    };
    run('first migration', 'npx', ['drizzle-kit', 'generate', '--name', 'init'], path.join(root, 'apps', names.name));
    run('event schema snapshot', 'npm', ['run', '--silent', 'contracts:snapshot']);
    run('lockfile', 'npm', ['install', '--package-lock-only', '--offline', '--no-audit', '--no-fund', '--ignore-scripts']);
    run('project references', 'npx', ['nx', 'sync']);
    logger.info(`Service ${names.name} created on port ${port}. Next: \`npm run client:generate\` (its routes in the client SDK) and \`npx nx test ${names.name}\`.`);
  };
}

module.exports = serviceGenerator;
module.exports.default = serviceGenerator;
