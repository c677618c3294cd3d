//! The flows list's filter box, client-side. Space-separated terms, all must match:
//! - free text: matched (case-insensitive) against the title, id, verdict, platform, issuer,
//!   client_id, user, context, message type and deployment id;
//! - `verdict:invalid` (or `is:invalid`), `platform:canvas`, `user:`, `context:`, `type:`
//!   (message type), `iss:`, `client:`, `deployment:`, `id:`;
//! - `has:errors` / `has:warnings`;
//! - a leading `-` negates a term (`-verdict:valid`).

import type { FlowSummary } from '../bindings';
import { flowFacts } from '../flow/summary';

export type FlowPredicate = (flow: FlowSummary) => boolean;

const FIELDS: Record<string, (f: FlowSummary) => string> = {
  platform: (f) => flowFacts(f).platform,
  user: (f) => flowFacts(f).user,
  context: (f) => flowFacts(f).context,
  type: (f) => flowFacts(f).messageType,
  iss: (f) => flowFacts(f).issuer,
  client: (f) => flowFacts(f).clientId,
  deployment: (f) => flowFacts(f).deploymentId,
  id: (f) => f.id,
};

function haystack(f: FlowSummary): string {
  const x = flowFacts(f);
  return [f.title, f.id, f.verdict, f.kind, x.platform, x.issuer, x.clientId, x.user, x.context, x.messageType, x.deploymentId].join('\u0000').toLowerCase();
}

function termPredicate(term: string): FlowPredicate | null {
  const m = /^([a-z]+):(.*)$/i.exec(term);
  if (m) {
    const key = (m[1] ?? '').toLowerCase();
    const want = (m[2] ?? '').toLowerCase();
    if (want === '') return null;
    if (key === 'verdict' || key === 'is') return (f) => f.verdict.toLowerCase().startsWith(want);
    if (key === 'has') {
      if (want.startsWith('err')) return (f) => (flowFacts(f).errors ?? 0) > 0;
      if (want.startsWith('warn')) return (f) => (flowFacts(f).warnings ?? 0) > 0;
      return null;
    }
    const field = FIELDS[key];
    if (field) return (f) => field(f).toLowerCase().includes(want);
  }
  const needle = term.toLowerCase();
  return (f) => haystack(f).includes(needle);
}

/** Compiles the query once. Empty query → null (no filter). */
export function compileFlowFilter(query: string): FlowPredicate | null {
  const preds: FlowPredicate[] = [];
  for (const raw of query.trim().split(/\s+/)) {
    if (raw === '' || raw === '-') continue;
    const negate = raw.startsWith('-');
    const p = termPredicate(negate ? raw.slice(1) : raw);
    if (!p) continue;
    preds.push(negate ? (f) => !p(f) : p);
  }
  if (preds.length === 0) return null;
  return (f) => preds.every((p) => p(f));
}

export function filterFlows(rows: readonly FlowSummary[], query: string): readonly FlowSummary[] {
  const pred = compileFlowFilter(query);
  return pred ? rows.filter(pred) : rows;
}
