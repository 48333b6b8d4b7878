#!/usr/bin/env node
// Builds one app into a deployable folder: dist/apps/<app>/{main.js, drizzle/, package.json, package-lock.json}.
//
// Why a script and not @nx/esbuild + prune-lockfile: we bundle the workspace libraries from
// source (and the pure-JS third-party packages with them), so the app's own package.json is the
// wrong list of runtime dependencies (it names @platform/* and misses what the libraries import).
// esbuild's metafile says exactly which third-party packages the bundle still imports; Nx's lockfile pruning then gives a lockfile
// that `npm ci --omit=dev` installs with no workspace around.
//
// Usage: node tools/scripts/build-app.mjs <app>   (wired as `nx build <app>`)
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBuiltin, packageName, thirdPartyBundling } from './lib/third-party-bundling.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const app = process.argv[2];
if (!app || !existsSync(join(root, 'apps', app, 'package.json'))) {
  console.error(`usage: build-app.mjs <app>  (no apps/${app ?? '?'}/package.json)`);
  process.exit(1);
}
const appDir = join(root, 'apps', app);
const outDir = join(root, 'dist', 'apps', app);
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

// Workspace libraries are bundled from their TypeScript source, and so are the pure-JS
// third-party packages (tools/scripts/lib/third-party-bundling.mjs says which stay external and
// why); the external ones are installed from the pruned lockfile. Packages we patch
// (tools/patches) are always bundled, so the deployed app runs the patched code without
// patch-package at install time; drizzle-orm imports postgres itself, so it shares the one copy.
const patched = new Set([
  ...readdirSync(join(root, 'tools', 'patches')).map((file) => file.replace(/\+[^+]+\.patch$/, '').replaceAll('+', '/')),
  'drizzle-orm',
]);

async function bundle() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(appDir, 'src', 'main.ts')],
    outfile: join(outDir, 'main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@platform/source'],
    // Whitespace and comments out (identifiers kept: names in logs and stack traces stay), and
    // licence comments into main.js.LEGAL.txt: V8 keeps the whole source in memory, and one
    // non-ASCII character (a comment's "—") makes it a two-byte string, twice the size.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'external',
    charset: 'ascii',
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
    plugins: [thirdPartyBundling({ root, patched })],
    // Bundled ESM has no `require`: the inlined CommonJS packages' require() of built-ins and of
    // the external packages (esbuild's __require) and a CommonJS-style lookup in our code use this one.
    banner: { js: "import { createRequire as __platformCreateRequire } from 'node:module';\nconst require = __platformCreateRequire(import.meta.url);" },
  });
  refuseWholeZod(result.metafile);
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports);
  return [...new Set(imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => packageName(i.path)))].sort();
}

/**
 * `import { z } from 'zod'` takes zod's namespace as one value, so the bundle keeps every export,
 * its 64 locales included (~430 KB of a 2.9 MB main.js, held in memory as source by every
 * process); `import * as z from 'zod'` lets esbuild keep what is used. Fails the build, naming
 * the files, when a locale other than the default `en` made it in.
 */
function refuseWholeZod(metafile) {
  // What went into main.js (metafile.inputs also lists the files read and then shaken out).
  const inputs = Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, used]) => used.bytesInOutput > 0).map(([file]) => file));
  if (!inputs.some((file) => /node_modules\/zod\/.*\/locales\/(?!en\.js$)[^/]+\.js$/.test(file))) return;
  const named = /import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*['"]zod['"]/;
  const offenders = inputs.filter((file) => !file.includes('node_modules') && /\.[cm]?[jt]s$/.test(file) && named.test(readFileSync(join(root, file), 'utf8')));
  throw new Error(`zod's locales are in the bundle: import it as \`import * as z from 'zod'\`, not \`{ z }\` (${offenders.join(', ') || 'no workspace file found: a third-party import?'})`);
}

/** Exact versions from the root lockfile: what the workspace tested is what ships. */
function pinnedDependencies(externals) {
  const lock = readJson(join(root, 'package-lock.json'));
  const deps = {};
  const missing = [];
  for (const name of externals) {
    const entry = lock.packages[`node_modules/${name}`];
    if (entry?.version && !entry.link) deps[name] = entry.version;
    else missing.push(name);
  }
  if (missing.length) {
    throw new Error(`${app}: the bundle imports ${missing.join(', ')}, not installed at the workspace root (add it to apps/${app}/package.json)`);
  }
  return deps;
}

function copyMigrations() {
  const from = join(appDir, 'drizzle');
  if (existsSync(from)) cpSync(from, join(outDir, 'drizzle'), { recursive: true });
}

async function writeManifestAndLockfile(dependencies) {
  const source = readJson(join(appDir, 'package.json'));
  const manifest = {
    name: source.name,
    version: source.version,
    private: true,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts: { start: 'node main.js' },
    dependencies,
  };
  // Nx's own lockfile pruning (what @nx/js:prune-lockfile uses), fed the bundle's real externals.
  const { createProjectGraphAsync } = await import('@nx/devkit');
  const { generatePrunedDeployOutput } = await import('@nx/devkit/internal');
  const graph = await createProjectGraphAsync({ exitOnError: true });
  generatePrunedDeployOutput(manifest, graph, relative(root, appDir), {
    outputDirectory: outDir,
    packageManager: 'npm',
    workspaceRoot: root,
  });
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const lock = readJson(join(outDir, 'package-lock.json'));
  const stray = Object.keys(lock.packages).filter((key) => key !== '' && !key.includes('node_modules/'));
  if (stray.length) throw new Error(`${app}: pruned lockfile still references workspace folders: ${stray.join(', ')}`);
}

const started = Date.now();
let externals;
try {
  externals = await bundle();
  copyMigrations();
  await writeManifestAndLockfile(pinnedDependencies(externals));
} catch (error) {
  // esbuild has already printed its diagnostics with code frames; don't bury them in a stack.
  console.error(error.errors ? `${app}: bundling failed` : `${app}: ${error.message}`);
  process.exit(1);
}
console.log(
  `${app}: dist/apps/${app} in ${Date.now() - started} ms; runtime dependencies: ${externals.join(', ') || '(none)'}`,
);
