//! Searching the rule catalog and the claims dictionary: every word must appear somewhere in
//! the entry (id, title, section, explanation…), case-insensitive; `severity:warning` (or
//! `error`, `info` alone) narrows rules by severity; `vendor:canvas` narrows claims by vendor.

import type { ClaimInfo, RuleInfo } from '../bindings';

function words(q: string): string[] {
  return q.trim().toLowerCase().split(/\s+/).filter(Boolean);
}

export function searchRules(rules: readonly RuleInfo[], query: string): RuleInfo[] {
  const ws = words(query);
  if (ws.length === 0) return [...rules];
  return rules.filter((r) => {
    const hay = [r.id, r.title, r.spec_section, r.explanation].join('\u0000').toLowerCase();
    return ws.every((w) => {
      const m = /^(severity|sev):(.+)$/.exec(w);
      if (m) return r.severity.startsWith(m[2] ?? '');
      return hay.includes(w);
    });
  });
}

export function searchClaims(claims: readonly ClaimInfo[], query: string): ClaimInfo[] {
  const ws = words(query);
  if (ws.length === 0) return [...claims];
  return claims.filter((c) => {
    const hay = [c.uri, c.name, c.meaning, c.type, c.spec_section, c.vendor ?? 'standard', ...c.members.flatMap((m) => [m.name, m.meaning])].join('\u0000').toLowerCase();
    return ws.every((w) => {
      const m = /^vendor:(.+)$/.exec(w);
      if (m) return (c.vendor ?? 'standard').toLowerCase().includes(m[1] ?? '');
      return hay.includes(w);
    });
  });
}

/** Rule id prefix → group title, in catalog order. */
export function ruleGroup(id: string): string {
  const prefix = id.split('.')[0] ?? id;
  return RULE_GROUPS[prefix] ?? prefix;
}

const RULE_GROUPS: Record<string, string> = {
  login: 'Login initiation',
  auth: 'Authentication request',
  response: 'Authentication response',
  jwt: 'JWT and signature',
  idtoken: 'id_token claims',
  lti: 'LTI Core claims',
  dl: 'Deep Linking',
  sr: 'Submission Review',
  ap: 'Proctoring',
  ags: 'Assignment and Grade Services',
  nrps: 'Names and Roles',
  hint: 'LMS hints',
};
