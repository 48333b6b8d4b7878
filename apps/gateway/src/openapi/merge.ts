/** The parts of an OpenAPI 3 document the merge touches; everything else is carried as is. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown> | undefined>;
  tags?: Array<{ name: string; description?: string }>;
  [key: string]: unknown;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function rewriteRefs(value: unknown, renames: Map<string, string>): unknown {
  if (renames.size === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renames));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, key === '$ref' && typeof item === 'string' ? (renames.get(item) ?? item) : rewriteRefs(item, renames)]),
  );
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One document for the whole API: the gateway's own paths, then every service's public paths
 * (`/api/...`; a service's own /health, /ready are not reachable through the gateway). Each
 * operation gets its service as a tag. Components are merged by name; a name two services use
 * for different things is renamed `<service>_<name>` in that service's part, references included.
 */
export function mergeOpenApi(gateway: OpenApiDocument, services: Array<{ name: string; document: OpenApiDocument }>): OpenApiDocument {
  const merged: OpenApiDocument = structuredClone(gateway);
  merged.paths ??= {};
  merged.components ??= {};
  const tags = new Map((merged.tags ?? []).map((tag) => [tag.name, tag]));

  for (const { name, document } of services) {
    const renames = new Map<string, string>();
    for (const [section, entries] of Object.entries(document.components ?? {})) {
      for (const [key, value] of Object.entries(entries ?? {})) {
        const existing = merged.components[section]?.[key];
        if (existing !== undefined && !same(existing, value)) renames.set(`#/components/${section}/${key}`, `#/components/${section}/${name}_${key}`);
      }
    }
    for (const [section, entries] of Object.entries(document.components ?? {})) {
      const target = (merged.components[section] ??= {});
      for (const [key, value] of Object.entries(entries ?? {})) {
        const renamed = renames.has(`#/components/${section}/${key}`) ? `${name}_${key}` : key;
        target[renamed] = rewriteRefs(value, renames);
      }
    }
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (!path.startsWith('/api/') || merged.paths[path]) continue;
      merged.paths[path] = Object.fromEntries(
        Object.entries(rewriteRefs(item, renames) as Record<string, unknown>).map(([method, operation]) => {
          if (!HTTP_METHODS.has(method) || operation === null || typeof operation !== 'object') return [method, operation];
          const own = (operation as { tags?: string[] }).tags ?? [];
          return [method, { ...operation, tags: own.includes(name) ? own : [name, ...own] }];
        }),
      );
    }
    if (!tags.has(name)) tags.set(name, { name, description: document.info?.description ?? document.info?.title });
    for (const tag of document.tags ?? []) if (!tags.has(tag.name)) tags.set(tag.name, tag);
  }
  merged.tags = [...tags.values()];
  return merged;
}
