export interface PageQuery {
  /** 1-based page number. */
  page: number;
  pageSize: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** SQL limit/offset for a page. Inputs are expected validated (page ≥ 1, pageSize ≥ 1). */
export function pageParams({ page, pageSize }: PageQuery): { limit: number; offset: number } {
  const safePage = Math.max(1, Math.trunc(page));
  const safeSize = Math.max(1, Math.trunc(pageSize));
  return { limit: safeSize, offset: (safePage - 1) * safeSize };
}

/**
 * Runs the items query (given limit/offset) and the count query together.
 * Keeps repositories to two small queries instead of a window function per row.
 */
export async function findPage<T>(
  query: PageQuery,
  fetchItems: (params: { limit: number; offset: number }) => Promise<T[]>,
  countAll: () => Promise<number | string | bigint>,
): Promise<Page<T>> {
  const [items, total] = await Promise.all([fetchItems(pageParams(query)), countAll()]);
  return { items, total: Number(total) };
}
