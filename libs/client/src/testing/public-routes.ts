import type { OpenApiDocument } from './codegen.js';

const METHODS = ['delete', 'get', 'patch', 'post', 'put'] as const;

/**
 * The proxied routes a caller may use without an access token, read off the merged OpenAPI
 * document: every `/api/...` operation without `security` (each service marks a guarded route
 * `bearerAuth`; http-kit does it from the guard itself, so the document cannot forget one).
 * `GET` brings `HEAD`. Sorted `METHOD /path` strings, path templates as OpenAPI writes them.
 * The gateway's public-route table is generated from this (`npm run client:generate`).
 */
export function publicRoutesOf(document: OpenApiDocument): string[] {
  const globalSecurity = Array.isArray(document.security) ? document.security : [];
  const routes: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const method of METHODS) {
      const operation = item[method] as { security?: unknown[] } | undefined;
      if (!operation || (operation.security ?? globalSecurity).length > 0) continue;
      routes.push(`${method.toUpperCase()} ${path}`);
      if (method === 'get') routes.push(`HEAD ${path}`);
    }
  }
  return routes.sort();
}
