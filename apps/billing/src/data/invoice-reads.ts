import { pageParams, type Db, type PageQuery } from '@platform/db-kit';
import { and, count, desc, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PricedLine } from '../domain/invoice-totals.js';
import type { InvoiceFilter, InvoiceWithLines } from './invoice-repository.js';
import { invoiceLines, invoices } from './schema.js';

/**
 * The invoice reads of the API, prepared once: each answers in one round trip. Before, a page was
 * three statements built per request (rows, count, lines) and one invoice two; the profile put
 * drizzle's query building and the extra round trips first in billing's own CPU per read.
 *
 * The lines come with their invoice as one JSON array (ordered by position, as the separate query
 * did), the total of a page as a window count over the filtered rows (counted before the limit,
 * like the count query). A page past the end has no row to carry the total: only then is it
 * counted apart.
 */
const linesOf = sql<PricedLine[]>`coalesce((
  select json_agg(json_build_object(
    'description', l.description, 'quantity', l.quantity, 'unitAmountMinor', l.unit_amount_minor, 'amountMinor', l.amount_minor
  ) order by l.position)
  from ${invoiceLines} l where l.invoice_id = ${invoices.id}
), '[]'::json)`;

const columns = getTableColumns(invoices);

/** Which filters a prepared statement takes as parameters. */
type Filter = { owner: boolean; status: boolean };

function where({ owner, status }: Filter): SQL | undefined {
  return and(
    owner ? eq(invoices.userId, sql.placeholder('userId')) : undefined,
    status ? eq(invoices.status, sql.placeholder('status')) : undefined,
  );
}

/** Invoices newest first: `(userId?, status?)` → one prepared statement per combination of filters. */
function preparePage(db: Db, filter: Filter) {
  const name = `invoices_page${filter.owner ? '_owner' : ''}${filter.status ? '_status' : ''}`;
  return db
    .select({ ...columns, lines: linesOf, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(invoices)
    .where(where(filter))
    .orderBy(desc(invoices.createdAt), desc(invoices.number))
    .limit(sql.placeholder('limit'))
    .offset(sql.placeholder('offset'))
    .prepare(name);
}

function prepareById(db: Db, owner: boolean) {
  return db
    .select({ ...columns, lines: linesOf })
    .from(invoices)
    .where(and(eq(invoices.id, sql.placeholder('id')), owner ? eq(invoices.userId, sql.placeholder('userId')) : undefined))
    .limit(1)
    .prepare(owner ? 'invoice_by_id_owner' : 'invoice_by_id');
}

export function invoiceReads(db: Db) {
  const byId = { owner: prepareById(db, true), any: prepareById(db, false) };
  const pages = {
    owner: preparePage(db, { owner: true, status: false }),
    ownerStatus: preparePage(db, { owner: true, status: true }),
    any: preparePage(db, { owner: false, status: false }),
    anyStatus: preparePage(db, { owner: false, status: true }),
  };

  async function countAll(filter: InvoiceFilter): Promise<number> {
    const conditions = and(
      filter.userId === undefined ? undefined : eq(invoices.userId, filter.userId),
      filter.status === undefined ? undefined : eq(invoices.status, filter.status),
    );
    const [row] = await db.select({ n: count() }).from(invoices).where(conditions);
    return Number(row?.n ?? 0);
  }

  return {
    /** The invoice with its lines; `userId` narrows to that owner's (undefined: any, for admins). */
    async find(id: string, filter: Pick<InvoiceFilter, 'userId'> = {}): Promise<InvoiceWithLines | undefined> {
      const [row] = filter.userId === undefined ? await byId.any.execute({ id }) : await byId.owner.execute({ id, userId: filter.userId });
      return row;
    },

    /** A page of invoices with their lines, newest first, and how many match the filter in all. */
    async page(query: PageQuery, filter: InvoiceFilter): Promise<{ items: InvoiceWithLines[]; total: number }> {
      const { limit, offset } = pageParams(query);
      const { userId, status } = filter;
      const rows =
        userId === undefined
          ? status === undefined
            ? await pages.any.execute({ limit, offset })
            : await pages.anyStatus.execute({ limit, offset, status })
          : status === undefined
            ? await pages.owner.execute({ limit, offset, userId })
            : await pages.ownerStatus.execute({ limit, offset, userId, status });
      const first = rows[0];
      if (!first) return { items: [], total: offset === 0 ? 0 : await countAll(filter) };
      // Each row also carries the page's `total`: responses name their fields (toInvoice), so it goes no further.
      return { items: rows, total: first.total };
    },
  };
}

export type InvoiceReads = ReturnType<typeof invoiceReads>;
