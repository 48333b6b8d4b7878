import { clientOf, isoUtc, pageParams, type Db, type PageQuery } from '@platform/db-kit';
import type { InvoiceView } from '../domain/invoice.js';
import { amountDue } from '../domain/invoice-totals.js';
import type { InvoiceFilter } from './invoice-repository.js';

/**
 * The invoice reads of the API (`InvoiceView`, domain/invoice.ts), one prepared round trip each
 * (postgres.js names and caches the statement per connection). Postgres builds each invoice in
 * the response's own shape, its lines as one JSON array ordered by position, and postgres.js
 * hands it over with one `JSON.parse`: the profile of round 3 put postgres.js' per-column
 * parsing, drizzle's row mapping and the Date → ISO mapping at ~25 % of billing's CPU per read
 * (docs/benchmarks.md, issue 12 round 4). Money is bigint in the table and a JSON number here,
 * as drizzle's `mode: 'number'` read it (amounts are refused above Number.MAX_SAFE_INTEGER
 * before they are stored). What is still owed is the domain's rule (`amountDue`), applied here.
 *
 * The total of a page is a window count over the filtered rows (counted before the limit). A
 * page past the end has no row to carry it: only then is it counted apart.
 */
const invoiceJson = `json_build_object(
  'id', i.id, 'number', i.number, 'accountId', i.account_id, 'userId', i.user_id, 'status', i.status, 'currency', i.currency,
  'lines', coalesce((
    select json_agg(json_build_object(
      'description', l.description, 'quantity', l.quantity, 'unitAmountMinor', l.unit_amount_minor, 'amountMinor', l.amount_minor
    ) order by l.position)
    from invoice_lines l where l.invoice_id = i.id
  ), '[]'::json),
  'totalMinor', i.total_minor, 'amountPaidMinor', i.amount_paid_minor, 'dueDate', i.due_date,
  'issuedAt', ${isoUtc('i.issued_at')}, 'paidAt', ${isoUtc('i.paid_at')}, 'createdAt', ${isoUtc('i.created_at')}
)`;

type Stored = Omit<InvoiceView, 'amountDueMinor'> & { amountDueMinor?: number };

function withAmountDue(invoice: Stored): InvoiceView {
  invoice.amountDueMinor = amountDue(invoice.totalMinor, invoice.amountPaidMinor);
  return invoice as InvoiceView;
}

/** `where` of a read: the owner's (`user_id`) and/or one status, as numbered parameters from `first`. */
function where(filter: { owner: boolean; status: boolean }, first: number): string {
  const conditions = [filter.owner ? 'i.user_id = $' : '', filter.status ? 'i.status = $' : ''].filter(Boolean);
  return conditions.map((condition, n) => `${condition}${first + n}`).join(' and ');
}

function pageStatement(filter: { owner: boolean; status: boolean }): string {
  const conditions = where(filter, 3);
  return `select ${invoiceJson} as invoice, (count(*) over ())::int as total from invoices i
    ${conditions ? `where ${conditions}` : ''}
    order by i.created_at desc, i.number desc limit $1 offset $2`;
}

const byIdOwner = `select ${invoiceJson} as invoice from invoices i where i.id = $1 and i.user_id = $2`;
const byIdAny = `select ${invoiceJson} as invoice from invoices i where i.id = $1`;
const pages = {
  any: pageStatement({ owner: false, status: false }),
  anyStatus: pageStatement({ owner: false, status: true }),
  owner: pageStatement({ owner: true, status: false }),
  ownerStatus: pageStatement({ owner: true, status: true }),
};

export function invoiceReads(db: Db) {
  const sql = clientOf(db);
  const read = <T>(statement: string, params: Array<string | number>) => sql.unsafe<T[]>(statement, params, { prepare: true });

  return {
    /** The invoice with its lines; `userId` narrows to that owner's (undefined: any, for admins). */
    async find(id: string, filter: Pick<InvoiceFilter, 'userId'> = {}): Promise<InvoiceView | undefined> {
      const [row] = filter.userId === undefined ? await read<{ invoice: Stored }>(byIdAny, [id]) : await read<{ invoice: Stored }>(byIdOwner, [id, filter.userId]);
      return row && withAmountDue(row.invoice);
    },

    /** A page of invoices with their lines, newest first, and how many match the filter in all. */
    async page(query: PageQuery, filter: InvoiceFilter): Promise<{ items: InvoiceView[]; total: number }> {
      const { limit, offset } = pageParams(query);
      const { userId, status } = filter;
      const filters = [userId, status].filter((value): value is string => value !== undefined);
      const statement = userId === undefined ? (status === undefined ? pages.any : pages.anyStatus) : status === undefined ? pages.owner : pages.ownerStatus;
      const rows = await read<{ invoice: Stored; total: number }>(statement, [limit, offset, ...filters]);
      const first = rows[0];
      if (!first) {
        if (offset === 0) return { items: [], total: 0 };
        const counted = `select count(*)::int as n from invoices i ${filters.length ? `where ${where({ owner: userId !== undefined, status: status !== undefined }, 1)}` : ''}`;
        const [row] = await read<{ n: number }>(counted, filters);
        return { items: [], total: row?.n ?? 0 };
      }
      return { items: rows.map((row) => withAmountDue(row.invoice)), total: first.total };
    },
  };
}

export type InvoiceReads = ReturnType<typeof invoiceReads>;
