//! Ordering a report's findings for reading: failed checks first, grouped by severity (errors,
//! warnings, infos), then skipped checks (each says why), then passed ones (collapsed to a
//! count). Within a group the engine's order is kept: checks run in protocol order.

import type { Finding, Severity } from '../bindings';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export const SEVERITY_LABELS: Record<Severity, { one: string; many: string }> = {
  error: { one: 'error', many: 'Errors' },
  warning: { one: 'warning', many: 'Warnings' },
  info: { one: 'info', many: 'Infos' },
};

export interface FailedGroup {
  severity: Severity;
  findings: Finding[];
}

export interface FindingGroups {
  /** Non-empty groups only, errors then warnings then infos. */
  failed: FailedGroup[];
  skipped: Finding[];
  passed: Finding[];
  failedCount: number;
}

function severityRank(s: string): number {
  const i = SEVERITIES.indexOf(s as Severity);
  return i === -1 ? SEVERITIES.length : i;
}

export function groupFindings(findings: readonly Finding[]): FindingGroups {
  const failedBy = new Map<Severity, Finding[]>();
  const skipped: Finding[] = [];
  const passed: Finding[] = [];
  for (const f of findings) {
    if (f.outcome === 'fail') {
      // A severity from a newer engine counts as an error rather than disappearing.
      const sev: Severity = SEVERITIES.includes(f.severity) ? f.severity : 'error';
      const list = failedBy.get(sev);
      if (list) list.push(f);
      else failedBy.set(sev, [f]);
    } else if (f.outcome === 'skipped') {
      skipped.push(f);
    } else {
      passed.push(f);
    }
  }
  const failed = [...failedBy.entries()]
    .sort(([a], [b]) => severityRank(a) - severityRank(b))
    .map(([severity, list]) => ({ severity, findings: list }));
  return { failed, skipped, passed, failedCount: failed.reduce((n, g) => n + g.findings.length, 0) };
}

/** Sort key for showing the worst message of a flow first. */
export function worstSeverity(findings: readonly Finding[]): Severity | null {
  let best: number = SEVERITIES.length;
  for (const f of findings) if (f.outcome === 'fail') best = Math.min(best, severityRank(f.severity));
  return SEVERITIES[best] ?? null;
}

/** Case-insensitive search over rule id, title, message, path, expected, actual and hint. */
export function findingMatches(f: Finding, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [f.rule_id, f.title, f.message, f.path, f.expected, f.actual, f.hint, f.spec_section]
    .some((v) => (v ?? '').toLowerCase().includes(q));
}
