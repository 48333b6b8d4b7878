import { randomBytes } from 'node:crypto';

/** The envelope (docs/contract.md §2) as a client of the gateway sees it. */
export interface Envelope<T = unknown> {
  code: string;
  message: string;
  module: string;
  data: T;
  meta?: { page: number; pageSize: number; total: number; totalPages: number };
  requestId: string;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: Envelope<T>;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface RegisteredUser {
  id: string;
  email: string;
  fullName: string;
  role: string;
  isActive: boolean;
}

/** A tiny fetch wrapper for the gateway: JSON in, envelope out, every call with a timeout. */
export function gatewayClient(baseUrl: string, timeoutMs = 15_000) {
  async function request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as Envelope<T> };
  }
  return {
    request,
    get: <T = unknown>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
    post: <T = unknown>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
  };
}

export type GatewayClient = ReturnType<typeof gatewayClient>;

/** A unique, policy-compliant new user (docs/contract.md §3). */
export function newUserInput(label = 'user') {
  const suffix = randomBytes(4).toString('hex');
  return { email: `${label}-${suffix}@example.test`, password: `Passw0rd-${suffix}`, fullName: `E2E ${label} ${suffix}` };
}

function expectStatus(response: ApiResponse, status: number, what: string): void {
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
}

export async function registerUser(client: GatewayClient, input = newUserInput(), headers?: Record<string, string>) {
  const response = await client.post<RegisteredUser>('/api/v1/auth/register', input, { headers });
  expectStatus(response, 201, 'register');
  return { ...input, user: response.body.data, response };
}

export async function login(client: GatewayClient, email: string, password: string): Promise<TokenPair> {
  const response = await client.post<TokenPair>('/api/v1/auth/login', { email, password });
  expectStatus(response, 200, 'login');
  return response.body.data;
}

/** Registers a fresh user through the gateway and signs them in. */
export async function signUp(client: GatewayClient, label = 'user') {
  const registered = await registerUser(client, newUserInput(label));
  const tokens = await login(client, registered.email, registered.password);
  return { ...registered, tokens };
}

/** Signs in the admin seeded from ADMIN_EMAIL / ADMIN_PASSWORD (startPlatform's env or .env.example defaults). */
export function loginAdmin(client: GatewayClient, email = 'admin@example.com', password = 'Admin-Passw0rd!') {
  return login(client, email, password);
}
