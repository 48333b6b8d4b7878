/**
 * A statement that has not started yet: a drizzle query builder (`tx.insert(...)...`,
 * `tx.execute(sql...)`) or a postgres.js query (`clientOf(tx).unsafe(...)`). Both start on
 * `execute()`, which hands them to the connection before anything sent later, the COMMIT included.
 * Prefer drizzle builders: drizzle maps their values inside `execute()`, so a value that cannot be
 * sent throws into the handler. A raw postgres.js query serialises its parameters as it is written,
 * and a value it cannot serialise (an invalid Date, a BigInt inside JSON) fails on the client without
 * reaching the server: the COMMIT behind it would then commit the inbox mark without the effect.
 * Give a raw query only values already in wire form (strings, numbers, null).
 */
export interface FinalStatement {
  execute(): PromiseLike<unknown>;
}

/** A failure and the event it belongs to (its index in the batch; -1 when no event is to blame). */
export interface Blame {
  index: number;
  err: unknown;
}

/** SQLSTATE 25P02: a statement refused because an earlier one aborted the transaction. */
const abortedTransaction = '25P02';

/** The SQLSTATE of a database error, also through drizzle's wrapper (DrizzleQueryError's `cause`). */
export function sqlState(err: unknown): string | undefined {
  let current = err;
  for (let depth = 0; depth < 3 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A refusal only because something before it had failed: never the failure to blame. */
export function isAbortedTransaction(err: unknown): boolean {
  return sqlState(err) === abortedTransaction;
}

/**
 * The failure to blame: the first in stream order that is not a 25P02 refusal; index -1 with the
 * first error when there are only refusals (a handler swallowed its statement's error).
 */
export function blameOf(failures: readonly Blame[]): Blame | undefined {
  if (failures.length === 0) return undefined;
  const ordered = [...failures].sort((a, b) => a.index - b.index);
  return ordered.find((f) => !isAbortedTransaction(f.err)) ?? { index: -1, err: (ordered[0] as Blame).err };
}

/**
 * The statements that one transaction's handlers gave `ctx.sendWithCommit`. Each is sent when given
 * (so it keeps its place among the statements on the connection) and nobody waits for it there:
 * its answer is awaited together with the COMMIT's, which goes out right behind it. A failed one
 * has aborted the transaction (COMMIT answers ROLLBACK), and it is blamed on its event like a
 * handler that threw. The values are mapped as the statement starts (drizzle's builders, our
 * repositories' parameters): a value that cannot be sent throws there, into the handler.
 */
export function finalStatements() {
  const sent: Sent[] = [];
  let blamed: number | undefined;

  return {
    /**
     * Runs a handler of the event at `index`, giving it its own `sendWithCommit`: at most one
     * statement, given before the handler returns (a statement given later could arrive after the
     * COMMIT). The caller puts it in the handler's context.
     */
    async run(index: number, handler: (sendWithCommit: (statement: FinalStatement) => void) => Promise<void>): Promise<void> {
      let open = true;
      try {
        // An arrow given as an argument, not bound to a name: tsx compiles with keepNames, which
        // names every named closure with an Object.defineProperty call each time it is made
        // (~4 k instructions, once per event here; callgrind, round 13).
        await handler((statement: FinalStatement): void => {
          if (!open) throw new Error('sendWithCommit: only once, and before the handler returns');
          open = false;
          const answer = Promise.resolve(statement.execute());
          answer.catch(() => undefined); // settled in failuresOf(), with the COMMIT or after a handler's failure
          sent.push({ index, answer });
        });
      } finally {
        open = false;
      }
    },

    /** The one failure to blame among the handlers' and the final statements' (those awaited first). */
    async blame(handlerFailures: readonly Blame[]): Promise<Blame | undefined> {
      return blameOf([...handlerFailures, ...(await failuresOf(sent))]);
    },

    /**
     * Awaited with the COMMIT: throws the failure to blame when a final statement failed (the
     * transaction was then rolled back), and remembers whose it was (`blamed`).
     */
    async settle(): Promise<void> {
      const found = blameOf(await failuresOf(sent));
      if (!found) return;
      blamed = found.index;
      throw found.err;
    },

    /** The event whose final statement failed at COMMIT (undefined when none did, -1 when no one is to blame). */
    get blamed(): number | undefined {
      return blamed;
    },
  };
}

export type FinalStatements = ReturnType<typeof finalStatements>;

/** A statement given to `sendWithCommit`, its event's index and its answer. */
interface Sent {
  index: number;
  answer: Promise<unknown>;
}

/** The failures of the statements sent, once every one has answered. */
async function failuresOf(sent: readonly Sent[]): Promise<Blame[]> {
  const settled = await Promise.allSettled(sent.map((s) => s.answer));
  const failed: Blame[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'rejected') failed.push({ index: (sent[i] as Sent).index, err: s.reason });
  });
  return failed;
}
