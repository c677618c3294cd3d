//! The sequence diagram of a flow, derived from its exchanges (oldest first): which party talks
//! to which, through the browser or server to server, with each step's status, duration and
//! time offset from the start of the flow. Pure, so the derivation is tested without a DOM.
//!
//! An LTI 1.3 launch is browser-mediated: the inspector sees the requests that reach it and its
//! own answers, not the browser's visit to the platform. Legs it did not see are kept in the
//! diagram (so the picture is the protocol's) but marked `observed: false` and drawn dashed.

import type { ExchangeSummary, Side } from '../bindings';
import { statusClass, type StatusClass } from '../shared/format';

/** Left to right: the browser sits between the two servers, so browser-mediated steps are straight arrows. */
export const LANES = ['platform', 'browser', 'tool'] as const;
export type Lane = (typeof LANES)[number];

export const LANE_LABELS: Record<Lane, string> = { platform: 'Platform', browser: 'Browser', tool: 'Tool' };

export interface Leg {
  from: Lane;
  to: Lane;
  /** False for legs the inspector infers but cannot see (the browser's visit to the platform). */
  observed: boolean;
}

export interface SeqStep {
  /** Unique within the diagram: `<exchange id>:request` or `<exchange id>:response`. */
  key: string;
  exchangeId: number;
  /** Which half of the exchange the row shows (the detail pane opens on that tab). */
  part: 'request' | 'response';
  /** The exchange's step name (`login`, `launch`, `jwks_fetch`…), or '' when it has none. */
  step: string;
  label: string;
  /** Method and path for requests; status and what it means for responses. */
  detail: string;
  legs: Leg[];
  /** Server to server (not through the browser). */
  backChannel: boolean;
  status: number | null;
  error: string | null;
  outcome: StatusClass;
  /** Milliseconds since the flow started. */
  offsetMs: number;
  /** How long the exchange took (request rows, and single-row back-channel calls). */
  durationMs: number | null;
}

export interface Sequence {
  /** Unix ms the offsets count from. */
  startedAt: number;
  /** The lane the inspector plays in this flow (tool side → tool; emulator → platform). */
  self: Lane;
  steps: SeqStep[];
  /** Total time from the first request to the last response. */
  totalMs: number;
}

function pathOf(url: string): string {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(url);
  const p = m ? m[1] || '/' : url;
  return p.length > 60 ? `${p.slice(0, 57)}…` : p;
}

const STEP_LABELS: Record<string, string> = {
  login: 'Login initiation',
  auth_redirect: 'Authentication request',
  auth: 'Authentication request',
  launch: 'id_token form_post',
  lti11_launch: 'LTI 1.1 launch (signed form post)',
  lti11_outcomes: 'Grade passback (LTI 1.1 Basic Outcomes)',
  dr_initiation: 'Registration page opened (Dynamic Registration)',
  dr_configuration: 'Platform OpenID configuration',
  dr_register: 'Client registration',
  deep_link: 'Deep linking request',
  deep_link_response: 'Deep linking response',
  jwks_fetch: 'JWKS fetch',
  jwks: 'JWKS',
  platform_storage: 'Platform storage log',
  platform_storage_check: 'Platform storage state check (lti.get_data)',
  token: 'Access token request',
  nrps: 'Roster (NRPS)',
  tool_jwks_fetch: "Tool's JWKS fetch",
  ags: 'Gradebook (AGS)',
  deep_linking_response: 'Deep linking response',
  deep_linking_compose: 'Deep linking composer',
};

/** What each emulator step is, asked and answered (`onward`: the answer goes on to the tool). */
const EMULATOR_STEPS: Record<string, { request: string; response: string; onward?: boolean }> = {
  login_initiation: { request: 'Launch page opened', response: 'Login initiation posted to the tool', onward: true },
  auth: { request: 'Authentication request (from the tool)', response: 'id_token form_post to the tool', onward: true },
  deep_linking_return: { request: 'Deep linking response (from the tool)', response: 'Content placed in the course' },
  return: { request: 'Return from the tool (return URL)', response: 'Back in the course' },
  lti11_launch: { request: 'LTI 1.1 launch page opened', response: 'Signed LTI 1.1 launch posted to the tool', onward: true },
  lti11_outcomes: { request: 'Grade passback from the tool (LTI 1.1 Basic Outcomes)', response: 'POX answer' },
  dr_host: { request: 'Registration window opened', response: 'The tool’s registration page, framed', onward: true },
  dr_configuration: { request: 'OpenID configuration (read by the tool)', response: 'Configuration' },
  dr_register: { request: 'Client registration (from the tool)', response: 'Registration answer' },
  dr_close: { request: 'The tool is done (org.imsglobal.lti.close)', response: 'Registration finished' },
};

/** An AGS call named for what it does, from its method and URL. */
export function agsLabel(method: string, url: string): string {
  const path = (/^[a-z]+:\/\/[^/]+(\/[^?#]*)?/i.exec(url)?.[1] ?? url).replace(/\/+$/, '');
  if (/\/scores$/.test(path)) return 'Gradebook: post score';
  if (/\/results$/.test(path)) return 'Gradebook: results';
  const container = /\/lineitems$/.test(path);
  switch (method.toUpperCase()) {
    case 'POST':
      return 'Gradebook: create line item';
    case 'PUT':
      return 'Gradebook: update line item';
    case 'DELETE':
      return 'Gradebook: delete line item';
    default:
      return container ? 'Gradebook: line items' : 'Gradebook: line item';
  }
}

function labelOf(step: string, ex: { method: string; url: string }): string {
  return step === 'ags' ? agsLabel(ex.method, ex.url) : humanize(step);
}

function humanize(step: string): string {
  if (!step) return '';
  return STEP_LABELS[step] ?? step.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

function responseDetail(ex: ExchangeSummary): string {
  if (ex.error) return `no response: ${ex.error}`;
  if (ex.status === null || ex.status === undefined) return 'no response';
  return String(ex.status);
}

/**
 * Derives the diagram. `side` is the flow's side; `flowStartedAt` (the flow's own start) is used
 * when it is earlier than its first exchange.
 */
export function deriveSequence(exchanges: readonly ExchangeSummary[], side: Side, flowStartedAt?: number): Sequence {
  const ordered = [...exchanges].sort((a, b) => a.started_at - b.started_at || a.id - b.id);
  const firstAt = ordered[0]?.started_at;
  const startedAt = Math.min(firstAt ?? Infinity, flowStartedAt ?? Infinity);
  const start = Number.isFinite(startedAt) ? startedAt : 0;
  // An import is the browser's own record (a HAR): the browser is where it was seen from.
  const self: Lane = side === 'emulator' ? 'platform' : side === 'imported' ? 'browser' : 'tool';
  const peer: Lane = self === 'tool' ? 'platform' : 'tool';
  const steps: SeqStep[] = [];
  let end = start;

  for (const ex of ordered) {
    const step = ex.step ?? '';
    const reqAt = ex.started_at - start;
    const respAt = reqAt + Math.max(0, ex.duration_ms);
    end = Math.max(end, ex.started_at + Math.max(0, ex.duration_ms));
    const status = ex.status ?? null;
    const outcome: StatusClass = ex.error ? 'server' : statusClass(status);
    const base = { exchangeId: ex.id, step, status, error: ex.error ?? null, outcome };
    const req = (label: string, legs: Leg[], backChannel = false): SeqStep => ({
      ...base,
      key: `${ex.id}:request`,
      part: 'request',
      label,
      detail: `${ex.method} ${pathOf(ex.url)}`,
      legs,
      backChannel,
      offsetMs: reqAt,
      durationMs: ex.duration_ms,
    });
    const resp = (label: string, legs: Leg[]): SeqStep => ({
      ...base,
      key: `${ex.id}:response`,
      part: 'response',
      label,
      detail: responseDetail(ex),
      legs,
      backChannel: false,
      offsetMs: respAt,
      durationMs: null,
    });
    const seen = (from: Lane, to: Lane): Leg => ({ from, to, observed: true });
    const unseen = (from: Lane, to: Lane): Leg => ({ from, to, observed: false });
    const redirected = status !== null && status >= 300 && status < 400;

    if (side === 'imported') {
      if (ex.direction === 'outbound') {
        // The inspector's own fetch for the import (the platform's JWKS, on request).
        steps.push({ ...req(labelOf(step, ex) || 'Outbound request', [seen('tool', 'platform')], true) });
        continue;
      }
      // A HAR is the browser's own record: every leg it shows was seen, to either server.
      const server: Lane = step === 'auth' ? 'platform' : step === 'deep_link_response' ? 'platform' : 'tool';
      steps.push(req(labelOf(step, ex) || `${ex.method} ${pathOf(ex.url)}`, [seen('browser', server)]));
      steps.push(resp(redirected ? 'Redirect' : 'Response', [seen(server, 'browser')]));
      continue;
    }
    if (ex.direction === 'outbound') {
      // The inspector calls the other server (JWKS, token, services): one row, request and answer.
      steps.push({ ...req(labelOf(step, ex) || 'Outbound request', [seen(self, peer)], true), detail: `${ex.method} ${pathOf(ex.url)}` });
      continue;
    }
    if (self === 'tool') {
      switch (step) {
        case 'login':
          steps.push(req('Login initiation', [seen('browser', 'tool')]));
          if (redirected) steps.push(resp('Authentication request (redirect)', [seen('tool', 'browser'), unseen('browser', 'platform')]));
          else steps.push(resp(ex.error ? 'Login failed' : 'Login answered', [seen('tool', 'browser')]));
          continue;
        case 'auth_redirect':
          steps.push(req('Authentication request', [seen('tool', 'browser'), unseen('browser', 'platform')]));
          continue;
        case 'launch':
        case 'deep_link':
        case 'lti11_launch':
          steps.push(req(STEP_LABELS[step] ?? step, [unseen('platform', 'browser'), seen('browser', 'tool')]));
          steps.push(resp(redirected ? 'Redirect' : 'Landing page', [seen('tool', 'browser')]));
          continue;
        default:
          steps.push(req(labelOf(step, ex) || `${ex.method} ${pathOf(ex.url)}`, [seen('browser', 'tool')]));
          steps.push(resp('Response', [seen('tool', 'browser')]));
          continue;
      }
    }
    // Emulator side: the inspector is the platform; the browser brings the tool's requests.
    const named = EMULATOR_STEPS[step];
    if (named) {
      const failedAnswer = status !== null && status >= 400;
      steps.push(req(named.request, [seen('browser', 'platform')]));
      steps.push(resp(failedAnswer ? `${named.response} — refused` : named.response, named.onward ? [seen('platform', 'browser'), unseen('browser', 'tool')] : [seen('platform', 'browser')]));
      continue;
    }
    steps.push(req(labelOf(step, ex) || `${ex.method} ${pathOf(ex.url)}`, [seen('browser', 'platform')]));
    steps.push(resp(redirected ? 'Redirect' : 'Response', [seen('platform', 'browser')]));
  }
  // A response comes after whatever the tool did meanwhile (a launch waits for its JWKS fetch).
  const timed = steps.map((s, i) => [s, i] as const).sort(([a, i], [b, j]) => a.offsetMs - b.offsetMs || i - j);
  return { startedAt: start, self, steps: timed.map(([s]) => s), totalMs: Math.max(0, end - start) };
}

/** The lanes a step's arrow spans, as indexes into `LANES` (for drawing). */
export function laneIndex(l: Lane): number {
  return LANES.indexOf(l);
}
