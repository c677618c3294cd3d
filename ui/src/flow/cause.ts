//! Why a flow failed, for the top of its view: the failing checks of every message (or, for an
//! unverified flow, why the signature was not checked), in human terms — epoch seconds as dates,
//! "3301 seconds" as "55 min 1 s" — the steps they came from, and what to do next (register an
//! unknown platform, prefilled from the launch). Pure: tested with vitest.

import type { Finding, FlowDetail, JsonValue } from '../bindings';
import { formatDateTime } from '../shared/format';

export interface Cause {
  /** The message kind (`id_token`, `login`…) and the exchange step it came from. */
  kind: string;
  step: string;
  finding: Finding;
}

/** Failed errors first (what made the flow invalid); for an unverified flow, the skipped
 *  signature check that says which key was missing. */
export function causesOf(detail: FlowDetail): Cause[] {
  const out: Cause[] = [];
  for (const m of detail.messages) {
    for (const f of m.message.report.findings) {
      if (f.outcome === 'fail' && f.severity === 'error') out.push({ kind: m.message.kind, step: m.message.step, finding: f });
    }
  }
  if (out.length === 0 && detail.flow.verdict === 'unverified') {
    for (const m of detail.messages) {
      for (const f of m.message.report.findings) {
        if (f.outcome === 'skipped' && f.rule_id === 'jwt.signature') out.push({ kind: m.message.kind, step: m.message.step, finding: f });
      }
    }
  }
  return out;
}

/** The exchange steps whose messages failed an error check (marked in the diagram). */
export function failedSteps(detail: FlowDetail): Set<string> {
  return new Set(causesOf(detail).filter((c) => c.finding.outcome === 'fail').map((c) => c.step));
}

/** Seconds as people say them: 11 s, 55 min 1 s, 3 h 2 min, 2 d 3 h. */
export function humanSeconds(total: number): string {
  const n = Math.abs(Math.round(total));
  if (n < 60) return `${n} s`;
  const parts: Array<[number, string]> = [
    [Math.floor(n / 86400), 'd'],
    [Math.floor((n % 86400) / 3600), 'h'],
    [Math.floor((n % 3600) / 60), 'min'],
    [n % 60, 's'],
  ];
  const first = parts.findIndex(([v]) => v > 0);
  return parts
    .slice(first, first + 2)
    .filter(([v]) => v > 0)
    .map(([v, u]) => `${v} ${u}`)
    .join(' ');
}

// Unix seconds between 2001-09-09 and 2286: any 10-digit number starting with 1.
const EPOCH = /\b1\d{9}\b/g;

/** Each Unix-seconds number in `text` followed by its date: "1796449601 (6 Dec 2026, 10:00:01)". */
export function humanTimes(text: string, format: (ms: number) => string = formatDateTime): string {
  return text.replace(EPOCH, (s) => `${format(Number(s) * 1000)} (${s})`);
}

/** "Expired 3301 seconds ago" → "Expired 55 min 1 s ago". */
export function humanMessage(text: string): string {
  return text.replace(/\b(\d+) seconds\b/g, (_, n: string) => humanSeconds(Number(n)));
}

export interface PlatformPrefill {
  issuer: string;
  clientId: string;
  deploymentId: string;
}

const REGISTRATION_RULES = new Set(['idtoken.iss_registered', 'login.iss_registered']);
const DEPLOYMENT_CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/deployment_id';

function str(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** When the launch failed because its platform is not registered: what to prefill. */
export function unknownPlatform(detail: FlowDetail): PlatformPrefill | null {
  if (!causesOf(detail).some((c) => REGISTRATION_RULES.has(c.finding.rule_id))) return null;
  for (const m of detail.messages) {
    const p = m.decoded?.payload;
    if (p && str(p.iss)) {
      const aud = p.aud;
      const clientId = str(p.azp) || (Array.isArray(aud) ? str(aud[0]) : str(aud));
      return { issuer: str(p.iss), clientId, deploymentId: str(p[DEPLOYMENT_CLAIM]) };
    }
  }
  for (const m of detail.messages) {
    const get = (n: string) => m.message.params?.find((x) => x.name === n)?.value ?? '';
    if (m.message.kind === 'login' && get('iss')) return { issuer: get('iss'), clientId: get('client_id'), deploymentId: get('lti_deployment_id') };
  }
  return null;
}

const PREFILL_KEY = 'lti-inspector.platform-prefill';

/** Hands a prefill to the Platforms page (read once). */
export function stashPrefill(p: PlatformPrefill, storage: Pick<Storage, 'setItem'> = sessionStorage) {
  storage.setItem(PREFILL_KEY, JSON.stringify(p));
}

export function takePrefill(storage: Pick<Storage, 'getItem' | 'removeItem'> = sessionStorage): PlatformPrefill | null {
  const raw = storage.getItem(PREFILL_KEY);
  if (!raw) return null;
  storage.removeItem(PREFILL_KEY);
  try {
    const v = JSON.parse(raw) as Partial<PlatformPrefill>;
    return typeof v.issuer === 'string' ? { issuer: v.issuer, clientId: v.clientId ?? '', deploymentId: v.deploymentId ?? '' } : null;
  } catch {
    return null;
  }
}
