//! Keeping the Timeline's rows newest first (by id, which the store assigns in commit order)
//! while live events, first pages and older pages arrive in any order and may overlap.

import type { ExchangeSummary } from '../bindings';

/**
 * Merges `incoming` into `rows` (both newest first or in any order for `incoming`). A row whose
 * id is already present is replaced. Returns `rows` itself when nothing changes.
 */
export function mergeNewestFirst(rows: readonly ExchangeSummary[], incoming: readonly ExchangeSummary[]): readonly ExchangeSummary[] {
  if (incoming.length === 0) return rows;
  const newestId = rows[0]?.id ?? -Infinity;
  const oldestId = rows[rows.length - 1]?.id ?? Infinity;
  // Each id once (the last copy wins), newest first.
  const distinct = [...new Map(incoming.map((r) => [r.id, r] as const)).values()].sort((a, b) => b.id - a.id);
  const lowest = distinct[distinct.length - 1];
  const highest = distinct[0];
  // Fast paths: all newer (live events), all older (next page).
  if (lowest && lowest.id > newestId) return [...distinct, ...rows];
  if (highest && highest.id < oldestId) return [...rows, ...distinct];
  // General case (re-fetch after lag): replace by id, re-sort.
  const byId = new Map<number, ExchangeSummary>();
  for (const r of rows) byId.set(r.id, r);
  for (const r of distinct) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}
