/**
 * Every service behind the gateway, in one table: the config (`<NAME>_URL`, its local default),
 * the proxy (which public path prefixes go where), readiness and the merged OpenAPI document all
 * derive from it. `npx nx g @platform/tools:service <name>` appends a row above the closing line.
 * Paths are forwarded unchanged: every service registers its routes under their full public path.
 */
export interface UpstreamDefinition {
  /** Where the service listens locally (`npm start`, `.env.example`). */
  readonly defaultUrl: string;
  readonly prefixes: readonly string[];
}

export const upstreamTable = {
  users: { defaultUrl: 'http://127.0.0.1:3001', prefixes: ['/api/v1/auth', '/api/v1/users'] },
  billing: { defaultUrl: 'http://127.0.0.1:3002', prefixes: ['/api/v1/billing'] },
  notifications: { defaultUrl: 'http://127.0.0.1:3003', prefixes: ['/api/v1/notifications'] },
  analytics: { defaultUrl: 'http://127.0.0.1:3004', prefixes: ['/api/v1/analytics'] },
} as const satisfies Record<string, UpstreamDefinition>;

export type UpstreamName = keyof typeof upstreamTable;

export const upstreamNames = Object.keys(upstreamTable) as UpstreamName[];

type Underscored<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}_${Underscored<Tail>}` : S;

/** `USERS_URL`, `ORDER_BOOKS_URL`: the variable of an upstream's URLs, as a type. */
export type UpstreamUrlVariable<N extends string = UpstreamName> = `${Uppercase<Underscored<N>>}_URL`;

/** `users` → `USERS_URL`, `order-books` → `ORDER_BOOKS_URL`: the variable naming a service's URL. */
export const upstreamUrlVariable = <N extends string>(name: N) => `${name.toUpperCase().replace(/-/g, '_')}_URL` as UpstreamUrlVariable<N>;
