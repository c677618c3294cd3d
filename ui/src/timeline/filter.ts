//! The Timeline's filter box, client-side. Space-separated terms, all must match:
//! - free text: matched (case-insensitive) against method, URL (raw and decoded) and status;
//! - `4xx` / `5xx` …: a status class; a bare 3-digit number also matches the status exactly;
//! - `method:POST`, `status:404` / `status:4xx`, `side:tool`, `dir:in`, `flow:<id>`;
//! - a leading `-` negates a term (`-jwks`).

import type { ExchangeSummary } from '../bindings';
import { readableUrl } from '../shared/url';

export type RowPredicate = (row: ExchangeSummary) => boolean;

function statusMatches(status: number | null | undefined, want: string): boolean {
  const s = status === null || status === undefined ? '' : String(status);
  const cls = /^([1-5])xx$/i.exec(want);
  if (cls) return s.length === 3 && s[0] === cls[1];
  if (want === 'none' || want === 'error') return s === '';
  return s === want;
}

function termPredicate(term: string): RowPredicate | null {
  const m = /^(method|status|side|dir|flow):(.*)$/i.exec(term);
  if (m) {
    const key = (m[1] ?? '').toLowerCase();
    const want = (m[2] ?? '').toLowerCase();
    if (want === '') return null;
    switch (key) {
      case 'method':
        return (r) => r.method.toLowerCase() === want;
      case 'status':
        return (r) => statusMatches(r.status, want);
      case 'side':
        return (r) => r.side.startsWith(want);
      case 'dir':
        return (r) => r.direction.startsWith(want);
      case 'flow':
        return (r) => (r.flow_id ?? '').toLowerCase().startsWith(want);
    }
  }
  const needle = term.toLowerCase();
  if (/^[1-5]xx$/.test(needle)) return (r) => statusMatches(r.status, needle);
  return (r) =>
    r.method.toLowerCase() === needle ||
    (r.status !== null && r.status !== undefined && String(r.status) === needle) ||
    r.url.toLowerCase().includes(needle) ||
    readableUrl(r.url).toLowerCase().includes(needle);
}

/** Compiles the query once; the result is called for every row. Empty query → null (no filter). */
export function compileFilter(query: string): RowPredicate | null {
  const preds: RowPredicate[] = [];
  for (const raw of query.trim().split(/\s+/)) {
    if (raw === '' || raw === '-') continue;
    const negate = raw.startsWith('-');
    const p = termPredicate(negate ? raw.slice(1) : raw);
    if (!p) continue;
    preds.push(negate ? (r) => !p(r) : p);
  }
  if (preds.length === 0) return null;
  return (r) => preds.every((p) => p(r));
}

export function applyFilter(rows: readonly ExchangeSummary[], query: string): readonly ExchangeSummary[] {
  const pred = compileFilter(query);
  return pred ? rows.filter(pred) : rows;
}
