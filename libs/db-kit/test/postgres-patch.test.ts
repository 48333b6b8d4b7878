import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

// Guards tools/patches/postgres+3.4.9.patch's hot-path changes (issue 12, round 11): the Query
// constructor is optimised, the message builder has fast properties, and the receive loop reads
// the messages of a chunk in place; (round 12) a small row's ASCII text columns are cut from one
// decode of the row. Then the protocol paths those changes touch, against Postgres.

const run = promisify(execFile);
const postgresDir = dirname(dirname(dirname(createRequire(import.meta.url).resolve('postgres'))));

/** A child Node with V8's natives on: runs prepared queries through one build and reports. */
const probe = `
const [dir, build, url] = process.argv.slice(1);
const load = (file) => build === 'cjs'
  ? Promise.resolve(require(dir + '/cjs/src/' + file))
  : import(dir + '/src/' + file);
const postgres = (await load('index.js')).default ?? (await load('index.js'));
const { Query } = await load('query.js');
const bytes = await load('bytes.js');
const b = bytes.default ?? bytes;
const sql = postgres(url, { max: 1 });
await sql\`select 0::int as n\`;
// Buffer objects made per query: counted first (patching Buffer.prototype invalidates code).
const subarray = Buffer.prototype.subarray;
let slices = 0;
Buffer.prototype.subarray = function (...args) { slices++; return subarray.apply(this, args); };
const concat = Buffer.concat;
let concats = 0;
Buffer.concat = function (...args) { concats++; return concat.apply(this, args); };
const queries = 1000;
for (let i = 0; i < queries; i++) await sql\`select \${i}::int as n\`;
Buffer.prototype.subarray = subarray;
Buffer.concat = concat;
// One call site for the warm-up and the optimised call: a template V8 has not seen would take a
// branch the optimised code has no feedback for, and deoptimise it before it is read.
const one = (i) => sql\`select \${i}::int as n\`;
%PrepareFunctionForOptimization(Query);
for (let i = 0; i < 2000; i++) await one(i);
%OptimizeFunctionOnNextCall(Query);
// Read in the same tick as the constructor ran (made synchronously on the main thread): nothing
// else has run yet that could deoptimise it.
const pending = one(1);
const status = %GetOptimizationStatus(Query);
await pending;
// Columns decoded natively (Buffer#toString) per row: four ASCII text columns, a boolean and a
// NULL, against a row of NULLs (nothing to decode), so other per-query decodes cancel out.
const toString = Buffer.prototype.toString;
let decodes = 0;
Buffer.prototype.toString = function (...args) { decodes++; return toString.apply(this, args); };
const textRow = (i) => sql\`select 'a' || \${i}::int as a, '' as b, null::text as c, 'user@example.test' as d, '2026-12-03T16:57:58.123Z' as e, true as f\`;
const nullRow = (i) => sql\`select nullif(\${i}::int, \${i}::int) as a, null::text as b, null::text as c, null::text as d, null::text as e, null::bool as f\`;
for (let i = 0; i < queries; i++) await textRow(i);
const textDecodes = decodes;
decodes = 0;
for (let i = 0; i < queries; i++) await nullRow(i);
Buffer.prototype.toString = toString;
console.log(JSON.stringify({
  queryOptimized: (status & 16) !== 0,
  builderFast: %HasFastProperties(b),
  slicesPerQuery: slices / queries,
  concatsPerQuery: concats / queries,
  asyncHandle: Object.getPrototypeOf(Query.prototype.handle) !== Function.prototype,
  textDecodesPerRow: (textDecodes - decodes) / queries,
}));
await sql.end();
`;

describe('postgres.js patch: hot path', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase({ prefix: 'pgpatch' });
  });
  afterAll(() => tdb?.drop());

  for (const build of ['esm', 'cjs'] as const) {
    it(`${build}: Query's constructor is optimised, the builder has fast properties, messages are read in place, ASCII columns cut from one decode, Bind + Execute in one buffer, no async handle`, async () => {
      const { stdout } = await run(
        process.execPath,
        ['--allow-natives-syntax', '--input-type=module', '-e', `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\n${probe}`, postgresDir, build, tdb.url],
        { cwd: postgresDir, timeout: 60_000 },
      );
      const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
        queryOptimized: boolean;
        builderFast: boolean;
        slicesPerQuery: number;
        concatsPerQuery: number;
        asyncHandle: boolean;
        textDecodesPerRow: number;
      };
      // Unpatched: V8 aborts every optimisation of Query (the static Symbol.species getter in its
      // class body), the builder is a dictionary-mode function, and each query's four messages are
      // sliced out twice each: 9 subarrays a query with the Bind's, now 1 (the Bind).
      expect(report.queryOptimized).toBe(true);
      expect(report.builderFast).toBe(true);
      expect(report.slicesPerQuery).toBeLessThan(1.5);
      // Unpatched: every text column of the row is its own Buffer#toString (4 here: a, b, d, e; the
      // boolean's text too, 5). Patched (round 12): an ASCII row's columns are cut from one latin1
      // decode of the row (Buffer#latin1Slice), none decoded on its own.
      expect(report.textDecodesPerRow).toBe(0);
      // Unpatched: a prepared query's Bind and Execute + Sync were joined by a Buffer.concat (1 a
      // query), and \`handle()\` was an async function (\`await 1\`). Patched (round 13): Execute + Sync
      // go into the Bind's buffer, and \`handle()\` defers \`handler\` with one \`then\`.
      // (The statement's first run, Parse + Describe, still concatenates: 2 in the 1,000.)
      expect(report.concatsPerQuery).toBeLessThan(0.01);
      expect(report.asyncHandle).toBe(false);
    });
  }
});

describe('postgres.js patch: protocol paths against Postgres', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase({ prefix: 'pgpatch_io', max: 1 });
  });
  afterAll(() => tdb?.drop());

  it('a query derives plain Promises (Symbol.species), and awaits as before', async () => {
    const query = tdb.sql`select 1 as one`;
    const then = query.then((rows) => rows[0]?.one);
    expect(Object.getPrototypeOf(then)).toBe(Promise.prototype);
    expect(then.constructor).toBe(Promise);
    expect(await then).toBe(1);
    const caught = tdb.sql`select 1/0 as x`.catch((err: { code?: string }) => err.code);
    expect(Object.getPrototypeOf(caught)).toBe(Promise.prototype);
    expect(await caught).toBe('22012');
    const settled = tdb.sql`select 2 as two`.finally(() => undefined);
    expect(Object.getPrototypeOf(settled)).toBe(Promise.prototype);
    expect((await settled)[0]).toEqual({ two: 2 });
  });

  it('many rows in one chunk: every message handled in order', async () => {
    const rows = await tdb.sql<Array<{ i: number; s: string }>>`
      select i, 'row ' || i as s from generate_series(1, ${5000}::int) as i`;
    expect(rows.count).toBe(5000);
    expect(rows.command).toBe('SELECT');
    expect(rows.length).toBe(5000);
    rows.forEach((row, k) => expect(row).toEqual({ i: k + 1, s: `row ${k + 1}` }));
  });

  it('rows larger than 64 KiB, and rows straddling chunk boundaries at every offset', async () => {
    const [big] = await tdb.sql<Array<{ a: string; b: string; n: number }>>`
      select repeat('a', 200000) as a, repeat('é', 70000) as b, ${7}::int as n`;
    expect(big?.a).toBe('a'.repeat(200_000));
    expect(big?.b).toBe('é'.repeat(70_000));
    expect(big?.n).toBe(7);
    const rows = await tdb.sql<Array<{ i: number; s: string }>>`
      select i, repeat(chr(65 + i % 26), 1000 + i * 37) as s from generate_series(1, 400) as i`;
    expect(rows.length).toBe(400);
    rows.forEach((row, k) => {
      const i = k + 1;
      expect(row.i).toBe(i);
      expect(row.s).toBe(String.fromCharCode(65 + (i % 26)).repeat(1000 + i * 37));
    });
    const raw = await tdb.sql`select repeat('z', 100000) as z, null as none`.raw();
    expect(Buffer.isBuffer(raw[0]?.[0])).toBe(true);
    expect((raw[0]?.[0] as Buffer).toString()).toBe('z'.repeat(100_000));
    expect(raw[0]?.[1]).toBeNull();
  });

  it('text columns: ASCII, non-ASCII, empty, NULL, arrays, parsed types, long values and large rows read as UTF-8', async () => {
    // The round-12 DataRow: a row of <= 2048 bytes is decoded once as latin1 and a column whose
    // bytes are all ASCII is cut from it; every other column (and every column of a larger row)
    // is decoded as UTF-8 as before. Each value is compared with what the query was given.
    const long = 'x'.repeat(300); // a length byte of 0x2c01: no byte of 0x80 or more in the value
    const values = ['plain', '', 'héllo wörld', '日本語', '😀 emoji', long, `${long}é`, 'a"b\\c', 'tab\there', 'ÿ\u0080'];
    for (const value of values) {
      const [row] = await tdb.sql<Array<{ before: string; v: string; after: string; n: null; arr: string[]; ok: boolean; i: number; j: unknown }>>`
        select 'x' as before, ${value}::text as v, 'y' as after, null::text as n,
               array[${value}::text, 'b'] as arr, true as ok, 42 as i, json_build_object('v', ${value}::text) as j`;
      expect(row).toEqual({ before: 'x', v: value, after: 'y', n: null, arr: [value, 'b'], ok: true, i: 42, j: { v: value } });
    }
    // Large rows (over the one-decode bound) and one just under it, ASCII and not.
    for (const size of [2000, 2040, 2048, 2100, 5000]) {
      for (const char of ['a', 'é']) {
        const [row] = await tdb.sql<Array<{ s: string; t: string }>>`select repeat(${char}, ${size}::int) as s, 'tail' as t`;
        expect(row).toEqual({ s: char.repeat(size), t: 'tail' });
      }
    }
    // values() (arrays of columns) and raw() (buffers) of the same row.
    const query = () => tdb.sql`select 'ascii' as a, 'ünï' as b, null::text as c, 7 as d`;
    expect(await query().values()).toEqual([['ascii', 'ünï', null, 7]]);
    const [raw] = await query().raw();
    expect(raw?.map((cell) => (cell === null ? null : Buffer.from(cell).toString('utf8')))).toEqual(['ascii', 'ünï', null, '7']);
  });

  it('pipelined queries on one connection each get their own answer; an error mid-batch fails only its query', async () => {
    const one = await tdb.sql.reserve();
    try {
      const batch = Array.from({ length: 200 }, (_, i) =>
        i === 97
          ? one`select 1/0 as x`.then(() => 'resolved', (err: { code?: string }) => `error ${err.code}`)
          : i % 3 === 0
            ? one`select ${i}::int as i, repeat('p', ${i * 500}::int) as pad`.then((rows) => rows[0]?.i)
            : one`select ${i}::int as i`.then((rows) => rows[0]?.i),
      );
      const results = await Promise.all(batch);
      results.forEach((value, i) => expect(value).toBe(i === 97 ? 'error 22012' : i));
      expect((await one`select 'after' as s`)[0]).toEqual({ s: 'after' });
    } finally {
      one.release();
    }
  });

  it('errors: in a transaction, from the server mid-row-stream, and the connection recovers', async () => {
    await expect(tdb.sql`select i, 1 / (i - 3000) as x from generate_series(1, 5000) as i`).rejects.toMatchObject({
      code: '22012',
    });
    await expect(
      tdb.sql.begin(async (tx) => {
        await tx`select 1`;
        await tx`select * from no_such_table_pgpatch`;
      }),
    ).rejects.toMatchObject({ code: '42P01' });
    expect((await tdb.sql`select ${'still'}::text as s`)[0]).toEqual({ s: 'still' });
  });

  it('one-parameter statements: one text with different types stays one statement per type, each reused', async () => {
    const one = await tdb.sql.reserve();
    try {
      const text = 'select pg_typeof($1)::text as t, $1::text as v';
      const cases = [
        { value: one.typed(5, 23), t: 'integer', v: '5' },
        { value: one.typed('x', 25), t: 'text', v: 'x' },
        { value: one.typed('2026-01-02', 1082), t: 'date', v: '2026-01-02' },
        { value: true, t: 'boolean', v: 'true' },
        { value: 12n, t: 'bigint', v: '12' },
      ];
      const names: string[][] = [];
      for (let round = 0; round < 2; round++) {
        const got = [];
        for (const c of cases) {
          const rows = await one.unsafe(text, [c.value as never], { prepare: true });
          expect(rows[0]?.t).toBe(c.t);
          expect(rows[0]?.v).toBe(c.v);
          got.push(rows.statement.name);
        }
        names.push(got);
      }
      expect(new Set(names[0]).size).toBe(cases.length);
      expect(names[1]).toEqual(names[0]);
      // A parameter whose type the server infers (0), no parameter, and two parameters, the same way.
      const inferred = [await one.unsafe('select $1::int + 1 as n', ['41'], { prepare: true }), await one.unsafe('select $1::int + 1 as n', ['1'], { prepare: true })];
      expect([inferred[0][0]?.n, inferred[1][0]?.n]).toEqual([42, 2]);
      expect(inferred[1].statement.name).toBe(inferred[0].statement.name);
      const none = [await one`select 1 as n`, await one`select 1 as n`];
      expect(none[1].statement.name).toBe(none[0].statement.name);
      const two = (a: unknown, b: unknown) => one.unsafe('select $1::text || $2::text as s', [a as never, b as never], { prepare: true });
      const [x, y] = [await two('a', 'b'), await two('c', 'd')];
      expect([x[0]?.s, y[0]?.s]).toEqual(['ab', 'cd']);
      expect(y.statement.name).toBe(x.statement.name);
    } finally {
      one.release();
    }
  });

  it('notifications, notices and COPY still pass through the receive loop', async () => {
    const got: string[] = [];
    const listener = await tdb.sql.listen('pgpatch_channel', (payload) => got.push(payload));
    try {
      const notified = new Promise<void>((resolve) => {
        const check = setInterval(() => got.length === 3 && (clearInterval(check), resolve()), 5);
      });
      await tdb.sql`select pg_notify('pgpatch_channel', 'one'), pg_notify('pgpatch_channel', ${'two'}), pg_notify('pgpatch_channel', repeat('n', 7000))`;
      await notified;
      expect(got).toEqual(['one', 'two', 'n'.repeat(7000)]);
    } finally {
      await listener.unlisten();
    }

    await tdb.sql`create table if not exists pgpatch_copy (i int, s text)`;
    const input = await tdb.sql`copy pgpatch_copy from stdin`.writable();
    const lines = Array.from({ length: 3000 }, (_, i) => `${i}\t${'c'.repeat(i % 50)}\n`);
    await new Promise<void>((resolve, reject) => {
      input.on('error', reject);
      input.on('finish', resolve);
      input.write(lines.slice(0, 1500).join(''));
      input.end(lines.slice(1500).join(''));
    });
    const counted = await tdb.sql`select count(*)::int as n from pgpatch_copy`;
    expect(counted[0]?.n).toBe(3000);
    // COPY out larger than the stream's buffer on a client of its own: unpatched postgres.js (main
    // too) leaves the socket paused when CopyDone arrives in the chunk that filled the buffer, so
    // that connection answers nothing afterwards. Small COPY out on the pool, then a query.
    const own = postgres(tdb.url, { max: 1 });
    try {
      const output = await own`copy (select * from pgpatch_copy order by i) to stdout`.readable();
      const chunks: Buffer[] = [];
      for await (const chunk of output) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe(lines.join(''));
    } finally {
      await own.end({ timeout: 1 });
    }
    const small = await tdb.sql`copy (select * from pgpatch_copy where i < 20 order by i) to stdout`.readable();
    const got20: Buffer[] = [];
    for await (const chunk of small) got20.push(chunk as Buffer);
    expect(Buffer.concat(got20).toString()).toBe(lines.slice(0, 20).join(''));
    expect((await tdb.sql`select 'after copy' as s`)[0]).toEqual({ s: 'after copy' });
  });

  it('cursors, simple multi-statement queries and describe', async () => {
    const seen: number[] = [];
    await tdb.sql`select i from generate_series(1, 25) as i`.cursor(10, (rows) => {
      seen.push(...rows.map((row) => row.i as number));
    });
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const results = (await tdb.sql.unsafe('select 1 as a; select 2 as b, 3 as c')) as unknown as unknown[][];
    expect(results.map((r) => r[0])).toEqual([{ a: 1 }, { b: 2, c: 3 }]);
    const described = await tdb.sql`select ${1}::int as n, ${'x'}::text as s`.describe();
    expect(described.types).toEqual([23, 25]);
    expect(described.columns.map((c) => c.name)).toEqual(['n', 's']);
  });
});
