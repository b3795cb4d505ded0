/** A page of a list: 100 items, `page` 1-based. */
export interface Page<T> {
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
  readonly pages: number;
  readonly items: readonly T[];
}

export const pageSize = 100;

/** The `page` of `items` (clamped to the pages there are). */
export function pageOf<T>(items: readonly T[], page: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  const at = Math.min(Math.max(1, Number.isFinite(page) ? Math.floor(page) : 1), pages);
  return { page: at, pageSize, total: items.length, pages, items: items.slice((at - 1) * pageSize, at * pageSize) };
}

/** A path filter from `?q=` (case-insensitive substring) and `?pipeline=`. */
export function filterOf(query: URLSearchParams): (item: { readonly pipeline: string; readonly path: string }) => boolean {
  const q = (query.get('q') ?? '').trim().toLowerCase();
  const pipeline = query.get('pipeline') || null;
  return (item) => (pipeline === null || item.pipeline === pipeline) && (q === '' || item.path.toLowerCase().includes(q));
}
