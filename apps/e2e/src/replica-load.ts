import { gatewayClient, newUserInput, type GatewayClient, type RegisteredUser } from './gateway-client.js';

/** No connection was made: the request never left, so trying another gateway is safe (what a load balancer does). */
function refused(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code === 'ECONNREFUSED';
}

/**
 * A client spreading requests over several gateways, like the load balancer in front of them:
 * round robin, and a request whose connection is refused (that gateway is gone) goes to the next.
 * Any other failure (a gateway killed mid-request) is reported as status 0: its outcome is unknown.
 */
export function balancedClient(urls: string[]): GatewayClient {
  const clients = urls.map((url) => gatewayClient(url));
  let next = 0;
  async function request<T>(method: string, path: string, options?: Parameters<GatewayClient['request']>[2]) {
    const start = next++;
    for (let i = 0; i < clients.length; i++) {
      try {
        return await (clients[(start + i) % clients.length] as GatewayClient).request<T>(method, path, options);
      } catch (error) {
        if (!refused(error)) return { status: 0, headers: new Headers(), body: { data: undefined } as never };
      }
    }
    return { status: 0, headers: new Headers(), body: { data: undefined } as never };
  }
  return {
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
  } as GatewayClient;
}

export interface RegistrationLoad {
  /** Users whose registration was answered 201. */
  readonly users: RegisteredUser[];
  /** Every status seen (0: the outcome is unknown, the gateway died mid-request). */
  readonly statuses: number[];
  /** Stops after the request in flight; resolves once every worker has stopped. */
  stop(): Promise<void>;
}

/** `workers` loops registering users (and reading notifications as each one) through `client` until stopped. */
export function registrationLoad(client: GatewayClient, workers = 2, label = 'scale'): RegistrationLoad {
  const users: RegisteredUser[] = [];
  const statuses: number[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const input = newUserInput(label);
      const registered = await client.post<RegisteredUser>('/api/v1/auth/register', input);
      statuses.push(registered.status);
      if (registered.status === 201) users.push(registered.body.data);
      const signedIn = await client.post<{ accessToken: string }>('/api/v1/auth/login', { email: input.email, password: input.password });
      statuses.push(signedIn.status);
      if (signedIn.status === 200) statuses.push((await client.get('/api/v1/notifications', { token: signedIn.body.data.accessToken })).status);
    }
  });
  return {
    users,
    statuses,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
