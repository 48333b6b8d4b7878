// Which third-party packages go into an app's main.js and which stay in node_modules.
//
// Why bundle them: a service's cold start was loading 700-860 CommonJS files from node_modules
// (resolve, stat, read, compile each one); one ESM file with the pure-JS dependencies inlined is
// one read and one compile, and esbuild drops the ESM code nothing imports (e.g. zod's locales).
//
// What stays external (installed from the pruned lockfile, loaded by Node as before):
// - native addons (a `.node` binary per platform, chosen at runtime: @node-rs/argon2);
// - packages that find files next to their own code at runtime (`__dirname`, `import.meta.url`,
//   `require.resolve`): inlined, those paths would point into dist/apps/<app>/ (KEEP_EXTERNAL);
// - whatever our code imports with `import()`: loaded only when used (the OpenTelemetry SDK
//   with tracing on, ioredis with REDIS_URL set), so it must not cost every boot a compile.
// A bundled file that mentions one of those runtime path lookups fails the build until its
// package is listed in KEEP_EXTERNAL or, once read, in REVIEWED.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, sep } from 'node:path';

/** Package name → why it must stay a real package in node_modules. */
export const KEEP_EXTERNAL = new Map([
  ['pino', 'transports run lib/worker.js next to its own code in a worker thread'],
  ['thread-stream', "starts its worker from a file next to its own code (pino's transports)"],
  ['pino-pretty', 'a transport target pino loads by name inside its worker'],
  ['@fastify/swagger-ui', 'serves the Swagger UI files from its own folder'],
  ['@fastify/static', 'serves files relative to the caller, resolves its own paths'],
  ['ioredis', 'reads its own package.json at runtime (and is imported only with REDIS_URL set)'],
]);

/**
 * Packages whose bundled files mention a runtime path lookup that was read and found harmless
 * once inlined: package name → where and why.
 */
export const REVIEWED = new Map([
  ['@fastify/swagger', "lib/util/read-package-json.js: its package.json via __dirname inside try/catch ({} when it throws), only for a default info.title/version that our openapi options always set"],
  ['undici', 'index.js: `typeof __filename !== "undefined" ? __filename : undefined`, only to trim its own frames from stack traces'],
]);

const builtins = new Set(builtinModules);
/** `@scope/name/sub/path` → `@scope/name`, `name/sub` → `name`. */
export const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
export const isBuiltin = (specifier) => specifier.startsWith('node:') || builtins.has(packageName(specifier));
const isBare = (specifier) => !specifier.startsWith('.') && !specifier.startsWith('/');

/** `/x/node_modules/a/node_modules/@s/b/lib/c.js` → { name: '@s/b', dir: '/x/node_modules/a/node_modules/@s/b' }. */
function owningPackage(file) {
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = file.slice(at + marker.length).split(sep);
  const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  return { name, dir: file.slice(0, at + marker.length) + name.split('/').join(sep) };
}

const nativeCache = new Map();
/** A native addon: built by node-gyp, or an N-API package whose binary comes from a per-platform package. */
function isNative(dir) {
  if (!nativeCache.has(dir)) {
    let native = false;
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      native = Boolean(manifest.gypfile || manifest.napi || manifest.binary) || existsSync(join(dir, 'binding.gyp'));
      native ||= readdirSync(dir).some((file) => file.endsWith('.node'));
    } catch {
      native = false;
    }
    nativeCache.set(dir, native);
  }
  return nativeCache.get(dir);
}

const runtimePathLookup = /\b__dirname\b|\b__filename\b|\bimport\.meta\.(?:url|dirname|filename|resolve)\b|\brequire\.resolve\b/;
const skip = Symbol('third-party-bundling: plain resolve');

/**
 * The esbuild plugin. `patched`: packages bundled whatever the rules say (tools/patches), so the
 * deployed app runs the patched code without patch-package at install time.
 */
export function thirdPartyBundling({ root, patched }) {
  const problems = [];
  return {
    name: 'third-party-bundling',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === skip || args.kind === 'entry-point' || !isBare(args.path)) return undefined;
        if (args.path.startsWith('@platform/')) return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const name = packageName(args.path);
        if (patched.has(name)) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: skip });
        // Not installed (an optional peer required inside try/catch): esbuild's own rules apply
        // (a warning, and the require() left to Node at runtime).
        if (resolved.errors.length) return undefined;
        const owner = owningPackage(resolved.path);
        const external = args.kind === 'dynamic-import' || KEEP_EXTERNAL.has(name) || (owner && isNative(owner.dir));
        if (!external) return undefined;
        // At runtime main.js resolves an external from the app's own node_modules (the root one in
        // the workspace): a nested copy of another version would silently be swapped.
        if (owner && owner.dir !== join(root, 'node_modules', ...name.split('/'))) {
          problems.push(`${args.importer} imports ${args.path}, which must stay external, from a nested copy (${owner.dir}): the deployed app would load the top-level one`);
        }
        return { path: args.path, external: true };
      });
      build.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, (args) => {
        const owner = owningPackage(args.path);
        if (!owner || patched.has(owner.name) || REVIEWED.has(owner.name)) return undefined;
        const match = runtimePathLookup.exec(readFileSync(args.path, 'utf8'));
        if (match) {
          problems.push(`${owner.name} (${args.path}) uses \`${match[0]}\` at runtime: inlined in main.js it would point into dist/; add it to KEEP_EXTERNAL or, once read, to REVIEWED (tools/scripts/lib/third-party-bundling.mjs)`);
        }
        return undefined;
      });
      build.onEnd((result) => {
        for (const text of problems.splice(0)) result.errors.push({ text, location: null, notes: [], detail: undefined, id: '', pluginName: 'third-party-bundling' });
      });
    },
  };
}
