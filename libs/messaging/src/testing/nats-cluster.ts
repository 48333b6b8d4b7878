import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { waitFor } from './index.js';

/** Where Debian's `nats-server` package puts the binary. */
export const natsServerBinary = '/usr/sbin/nats-server';

export interface ClusterNode {
  /** `server_name`, as JetStream reports it in `cluster.leader`. */
  name: string;
  url: string;
  running: boolean;
}

export interface NatsCluster {
  nodes: ClusterNode[];
  /** The seed list, as `NATS_URL` takes it. */
  url: string;
  /** SIGKILL: no goodbye to the cluster, like a node losing power (its store stays on disk). */
  kill(name: string): Promise<void>;
  /** Starts a killed node again on the same ports and store; resolves once it answers. */
  restart(name: string): Promise<void>;
  /** The `server_name` of the node leading `stream` (polls while an election is in progress). */
  leaderOf(stream: string, timeoutMs?: number): Promise<string>;
  /** Kills every node and deletes the store folders. */
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks it). */
async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts a `size`-node nats-server cluster with JetStream on spare loopback ports, its stores in
 * a temporary folder, and waits (bounded) until JetStream has a meta leader and every node
 * answers JetStream requests. The caller must `stop()` it.
 */
export async function startNatsCluster({ size = 3, readyTimeoutMs = 20_000, binary = natsServerBinary } = {}): Promise<NatsCluster> {
  if (!existsSync(binary)) {
    throw new Error(`nats-server is not installed at ${binary}: apt-get install -y nats-server`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'nats-cluster-'));
  const specs = await Promise.all(
    Array.from({ length: size }, async (_, i) => ({ name: `n${i + 1}`, clientPort: await sparePort(), routePort: await sparePort() })),
  );
  const processes = new Map<string, ChildProcess>();
  const nodes: ClusterNode[] = specs.map((s) => ({ name: s.name, url: `nats://127.0.0.1:${s.clientPort}`, running: false }));
  const node = (name: string): ClusterNode => {
    const found = nodes.find((n) => n.name === name);
    if (!found) throw new Error(`no node ${name} in the cluster (${nodes.map((n) => n.name).join(', ')})`);
    return found;
  };

  for (const spec of specs) {
    const store = join(dir, spec.name);
    mkdirSync(store, { recursive: true });
    const routes = specs.map((s) => `nats-route://127.0.0.1:${s.routePort}`).join(', ');
    writeFileSync(
      join(dir, `${spec.name}.conf`),
      [
        `server_name: ${spec.name}`,
        `listen: 127.0.0.1:${spec.clientPort}`,
        `jetstream { store_dir: "${store}", max_memory_store: 256MB, max_file_store: 1GB }`,
        `cluster { name: test-cluster, listen: 127.0.0.1:${spec.routePort}, routes: [${routes}] }`,
        '',
      ].join('\n'),
    );
  }

  const launch = (name: string) => {
    const child = spawn(binary, ['-c', join(dir, `${name}.conf`)], { stdio: 'ignore' });
    processes.set(name, child);
    const launched = node(name);
    launched.running = true;
    child.once('exit', () => {
      if (processes.get(name) === child) launched.running = false;
    });
  };

  /** Bounded: the node answers a JetStream account request (so it sees a meta leader). */
  const jetStreamAnswers = async (url: string, timeoutMs: number) =>
    waitFor(
      async () => {
        const nc = await connect({ servers: url, timeout: 1_000, reconnect: false });
        try {
          const jsm = await jetstreamManager(nc, { timeout: 1_000 });
          await jsm.getAccountInfo();
          return true;
        } finally {
          await nc.close();
        }
      },
      { timeoutMs, intervalMs: 200 },
    );

  const cluster: NatsCluster = {
    nodes,
    url: nodes.map((n) => n.url).join(','),
    async kill(name) {
      const child = processes.get(name);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    async restart(name) {
      await cluster.kill(name);
      launch(name);
      await jetStreamAnswers(node(name).url, readyTimeoutMs);
    },
    async leaderOf(stream, timeoutMs = 10_000) {
      return waitFor(
        async () => {
          for (const node of nodes.filter((n) => n.running)) {
            const nc = await connect({ servers: node.url, timeout: 1_000, reconnect: false }).catch(() => null);
            if (!nc) continue;
            try {
              const jsm = await jetstreamManager(nc, { timeout: 1_000 });
              const leader = (await jsm.streams.info(stream)).cluster?.leader;
              if (leader && nodes.some((n) => n.name === leader && n.running)) return leader;
            } catch {
              // no leader yet, or this node is catching up: ask the next one
            } finally {
              await nc.close();
            }
          }
          return undefined;
        },
        { timeoutMs, intervalMs: 100 },
      );
    },
    async stop() {
      await Promise.all(nodes.map((n) => cluster.kill(n.name)));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    for (const spec of specs) launch(spec.name);
    for (const node of nodes) await jetStreamAnswers(node.url, readyTimeoutMs);
  } catch (err) {
    await cluster.stop();
    throw new Error(`the ${size}-node NATS cluster did not elect a JetStream meta leader within ${readyTimeoutMs} ms`, { cause: err });
  }
  return cluster;
}
