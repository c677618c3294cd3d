//! What real tool libraries do with a broken rule (`compat_evidence`, measured by `make compat`):
//! fetched once per window, and the pure reading a flow needs — which libraries would refuse
//! its messages.

import { useEffect, useState } from 'react';
import type { CompatEvidence, Finding, LibraryStance, RuleEvidence } from '../bindings';
import { rpc } from '../transport';

let cached: Promise<CompatEvidence> | null = null;

/** The measured evidence by rule id (empty until it arrives; the data never changes while the app runs). */
export function useCompatEvidence(): ReadonlyMap<string, RuleEvidence> {
  const [map, setMap] = useState<ReadonlyMap<string, RuleEvidence>>(EMPTY);
  useEffect(() => {
    let live = true;
    cached ??= rpc('compat_evidence', {});
    cached.then(
      (e) => live && setMap(byRule(e)),
      () => {
        cached = null; // try again next time; the findings still show without it
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return map;
}

const EMPTY: ReadonlyMap<string, RuleEvidence> = new Map();

/** Keyed by rule id, and `rule#mode` for each way of breaking a rule measured several ways. */
export function byRule(e: CompatEvidence): ReadonlyMap<string, RuleEvidence> {
  return new Map(e.rules.map((r) => [r.mode ? `${r.rule}#${r.mode}` : r.rule, r]));
}

/** How a finding breaks its rule, as the harness recorded its cases (compat::mode_of). */
export function modeOf(f: Finding): 'missing' | 'value' {
  return f.actual === null || f.actual === '(missing)' ? 'missing' : 'value';
}

/** The evidence about this failed finding: its way of breaking the rule when measured, else the rule's. */
export function evidenceFor(evidence: ReadonlyMap<string, RuleEvidence>, f: Finding): RuleEvidence | null {
  const e = evidence.get(`${f.rule_id}#${modeOf(f)}`) ?? evidence.get(f.rule_id);
  return e && speaksTo(e, f) ? e : null;
}

export interface Rejection {
  /** Some failed finding has measured evidence (else the libraries were never asked). */
  measured: boolean;
  /** "PyLTI1p3 2.0.0", … — libraries that refuse at least one failed rule. */
  rejectedBy: string[];
  /** Every measured library, for "accepted by every measured library (…)". */
  libraries: string[];
}

/** Which measured libraries would refuse messages with these findings (failed ones only). */
export function wouldRejectBy(findings: readonly Finding[], evidence: ReadonlyMap<string, RuleEvidence>): Rejection {
  const rejectedBy: string[] = [];
  const libraries: string[] = [];
  let measured = false;
  for (const f of findings) {
    if (f.outcome !== 'fail') continue;
    const e = evidenceFor(evidence, f);
    if (!e) continue;
    measured = true;
    for (const l of e.libraries) {
      const who = `${l.library} ${l.version}`;
      if (!libraries.includes(who)) libraries.push(who);
      if ((l.stance === 'rejects' || l.stance === 'partly') && !rejectedBy.includes(who)) rejectedBy.push(who);
    }
  }
  return { measured, rejectedBy, libraries };
}

/**
 * Whether the measurement is about this failure: one the check reports at another severity than
 * the catalog's (a relative return URL where the cases left it out) broke the rule another way.
 */
export function speaksTo(e: RuleEvidence, f: Finding): boolean {
  return f.outcome === 'fail' && (f.severity === e.severity || e.lowered_to_warning);
}

/** One library's stance in words: "rejects: <its message>", "accepts", … */
export function stanceText(l: LibraryStance): string {
  switch (l.stance) {
    case 'accepts':
      return 'accepts';
    case 'rejects':
      return l.message ? `rejects: ${l.message}` : 'rejects';
    case 'partly':
      return `rejects ${l.refused} of ${l.cases} cases${l.message ? `: ${l.message}` : ''}`;
    case 'not_applicable':
      return `not asked: it refuses the message itself${l.message ? ` (${l.message})` : ''}`;
  }
}
