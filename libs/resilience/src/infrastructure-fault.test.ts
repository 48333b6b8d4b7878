import { createServer, type AddressInfo } from 'node:net';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createTcpProxy } from './testing/index.js';
import { infrastructureFaultCode, isInfrastructureFault } from './infrastructure-fault.js';

const base = 'postgres://postgres@127.0.0.1:5432/postgres';
const clients: postgres.Sql[] = [];
const client = (url: string) => {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
  clients.push(sql);
  return sql;
};
afterAll(async () => Promise.all(clients.map((sql) => sql.end({ timeout: 1 }))));

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('isInfrastructureFault', () => {
  it('recognises a refused connection from postgres.js', async () => {
    const error = await client(`postgres://postgres@127.0.0.1:${await closedPort()}/postgres`)`select 1`.catch((e: unknown) => e);
    expect(infrastructureFaultCode(error)).toBe('ECONNREFUSED');
  });

  it('recognises a connection cut mid-session', async () => {
    const proxy = await createTcpProxy('127.0.0.1', 5432);
    const sql = client(proxy.url(base));
    await sql`select 1`;
    const slow = sql`select pg_sleep(5)`.catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    proxy.cut();
    const error = await slow;
    await proxy.close();
    expect(isInfrastructureFault(error)).toBe(true);
  });

  it('does not count a bad query, a constraint or a plain bug', async () => {
    const sql = client(base);
    expect(isInfrastructureFault(await sql`selec 1`.catch((e: unknown) => e))).toBe(false);
    expect(isInfrastructureFault(await sql`select 1/0`.catch((e: unknown) => e))).toBe(false);
    expect(isInfrastructureFault(new TypeError('x is undefined'))).toBe(false);
    expect(isInfrastructureFault(null)).toBe(false);
    expect(isInfrastructureFault('ECONNREFUSED')).toBe(false);
  });

  it('reads server states by SQLSTATE, only on Postgres errors', () => {
    const pg = (code: string) => Object.assign(new Error('x'), { name: 'PostgresError', code });
    expect(infrastructureFaultCode(pg('57P03'))).toBe('57P03'); // the database system is starting up
    expect(infrastructureFaultCode(pg('57P01'))).toBe('57P01'); // terminating connection due to administrator command
    expect(infrastructureFaultCode(pg('08006'))).toBe('08006');
    expect(infrastructureFaultCode(pg('53300'))).toBe('53300');
    expect(isInfrastructureFault(pg('23505'))).toBe(false); // unique violation
    expect(isInfrastructureFault(Object.assign(new Error('x'), { code: '57P03' }))).toBe(false);
  });

  it('looks through wrappers (drizzle) and aggregates (happy eyeballs)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(infrastructureFaultCode(new Error('Failed query: select 1', { cause: refused }))).toBe('ECONNREFUSED');
    expect(infrastructureFaultCode(new AggregateError([new Error('a'), refused]))).toBe('ECONNREFUSED');
  });

  it('recognises NATS clients that cannot reach the server', () => {
    const named = (name: string) => Object.assign(new Error(name), { name });
    expect(isInfrastructureFault(named('ClosedConnectionError'))).toBe(true);
    expect(isInfrastructureFault(named('NoResponders'))).toBe(true);
    expect(isInfrastructureFault(named('InvalidSubjectError'))).toBe(false);
  });
});
