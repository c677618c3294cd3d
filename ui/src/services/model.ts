//! The pure parts of the Services section: which services a launch's id_token grants (the AGS
//! endpoint and NRPS claims), the score form → `PostScoreArgs` (timestamp defaulting to now with
//! sub-second precision), the line item form ↔ `AgsLineItem`, and the line items × members grid
//! from the fetched roster and each line item's results. Every value came from a platform:
//! shown as text only. Tested.

import type { AgsLineItem, CallLog, FlowDetail, JsonValue, Member, PostScoreArgs, ResultItem } from '../bindings';

export const AGS_CLAIM = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
export const NRPS_CLAIM = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
export const AGS_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/';

/** AGS §3.4: the values a score's activityProgress and gradingProgress take. */
export const ACTIVITY_PROGRESS = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'] as const;
export const GRADING_PROGRESS = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'] as const;

export interface ServiceClaims {
  ags: { scopes: string[]; lineitems: string | null; lineitem: string | null } | null;
  nrps: { membershipsUrl: string | null; versions: string[] } | null;
}

function obj(v: JsonValue | undefined): { [k: string]: JsonValue } | null {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : null;
}
const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);
const strs = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/** The service claims of the flow's (last decoded) id_token; both null when it has none. */
export function serviceClaims(detail: Pick<FlowDetail, 'messages'>): ServiceClaims {
  const tokens = detail.messages.filter((m) => m.message.kind === 'id_token' && m.decoded);
  const payload = tokens[tokens.length - 1]?.decoded?.payload;
  if (!payload) return { ags: null, nrps: null };
  const ags = obj(payload[AGS_CLAIM]);
  const nrps = obj(payload[NRPS_CLAIM]);
  return {
    ags: ags ? { scopes: strs(ags.scope), lineitems: str(ags.lineitems), lineitem: str(ags.lineitem) } : null,
    nrps: nrps ? { membershipsUrl: str(nrps.context_memberships_url), versions: strs(nrps.service_versions) } : null,
  };
}

/**
 * Whether the engine will call services for this launch: only when the latest id_token's
 * signature verified (`jwt.signature` passed). A forged launch naming a registered issuer must
 * never get a real access token sent to the URLs it names; the engine refuses, and the card
 * says why instead of offering buttons that can only fail.
 */
export function servicesBlocked(detail: Pick<FlowDetail, 'messages'>): string | null {
  const tokens = detail.messages.filter((m) => m.message.kind === 'id_token');
  const last = tokens[tokens.length - 1];
  if (!last) return 'The flow has no launch (id_token).';
  const sig = [...last.message.report.findings].reverse().find((f) => f.rule_id === 'jwt.signature');
  if (sig?.outcome === 'pass') return null;
  const why = sig ? sig.message : 'The signature was never checked.';
  return `Services run only from a launch whose signature verified against a registered platform. ${why} Register the platform with its keys, then launch again or re-check this launch.`;
}

/** `…/scope/lineitem` → `lineitem`. */
export function shortScope(s: string): string {
  return s.startsWith(AGS_SCOPE) ? s.slice(AGS_SCOPE.length) : s;
}

// ── score form ─────────────────────────────────────────────────────────────────────────────

export interface ScoreForm {
  userId: string;
  scoreGiven: string;
  scoreMaximum: string;
  comment: string;
  activityProgress: string;
  gradingProgress: string;
  /** Empty = now, taken when the score is posted. */
  timestamp: string;
  startedAt: string;
  submittedAt: string;
}

export function emptyScoreForm(userId = '', scoreMaximum = ''): ScoreForm {
  return { userId, scoreGiven: '', scoreMaximum, comment: '', activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: '', startedAt: '', submittedAt: '' };
}

/**
 * Now as RFC 3339 UTC with microseconds (`2026-11-27T10:55:51.615321Z`): AGS orders scores by
 * timestamp, so two scores in the same second must still differ. The epoch time comes from
 * `performance.timeOrigin + performance.now()` (sub-millisecond where the browser allows).
 */
export function nowTimestamp(epochMs: number = highResNow()): string {
  const ms = Math.floor(epochMs);
  const iso = new Date(ms).toISOString(); // …T10:55:51.615Z
  const micros = String(Math.min(999, Math.max(0, Math.floor((epochMs - ms) * 1000)))).padStart(3, '0');
  return `${iso.slice(0, -1)}${micros}Z`;
}

function highResNow(): number {
  return typeof performance !== 'undefined' && performance.timeOrigin > 0 ? performance.timeOrigin + performance.now() : Date.now();
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export interface Parsed<T> {
  value: T | null;
  problems: Partial<Record<string, string>>;
}

function num(s: string, field: string, problems: Partial<Record<string, string>>, { min }: { min?: number } = {}): number | null {
  const t = s.trim();
  if (!t) return null;
  const n = Number(t);
  if (!Number.isFinite(n)) problems[field] = 'A number.';
  else if (min !== undefined && n < min) problems[field] = `At least ${min}.`;
  return Number.isFinite(n) ? n : null;
}

function time(s: string, field: string, problems: Partial<Record<string, string>>): string | null {
  const t = s.trim();
  if (!t) return null;
  if (!RFC3339.test(t) || Number.isNaN(Date.parse(t))) problems[field] = 'An RFC 3339 time, e.g. 2026-11-27T10:55:51.615321Z.';
  return t;
}

/** The form as `post_score` arguments; the timestamp is now (microseconds) when left empty. */
export function scoreArgs(flowId: string, lineItemUrl: string | null, f: ScoreForm, now: () => string = nowTimestamp): Parsed<PostScoreArgs> {
  const problems: Partial<Record<string, string>> = {};
  const userId = f.userId.trim();
  if (!userId) problems.userId = 'Pick a member (or type a user id).';
  const scoreGiven = num(f.scoreGiven, 'scoreGiven', problems, { min: 0 });
  const scoreMaximum = num(f.scoreMaximum, 'scoreMaximum', problems, { min: 0 });
  if (scoreGiven !== null && scoreMaximum === null && !problems.scoreMaximum) problems.scoreMaximum = 'Required with scoreGiven (AGS §3.4.5).';
  if (scoreMaximum !== null && scoreMaximum <= 0 && !problems.scoreMaximum) problems.scoreMaximum = 'Greater than 0.';
  const timestamp = time(f.timestamp, 'timestamp', problems) ?? now();
  const startedAt = time(f.startedAt, 'startedAt', problems);
  const submittedAt = time(f.submittedAt, 'submittedAt', problems);
  if (Object.keys(problems).length > 0) return { value: null, problems };
  return {
    value: {
      flow_id: flowId,
      line_item_url: lineItemUrl,
      user_id: userId,
      score_given: scoreGiven,
      score_maximum: scoreMaximum,
      comment: f.comment.trim() ? f.comment : null,
      activity_progress: f.activityProgress || null,
      grading_progress: f.gradingProgress || null,
      timestamp,
      started_at: startedAt,
      submitted_at: submittedAt,
    },
    problems,
  };
}

// ── line item form ─────────────────────────────────────────────────────────────────────────

export interface LineItemForm {
  /** The line item's URL when editing. */
  id: string;
  label: string;
  scoreMaximum: string;
  resourceId: string;
  tag: string;
  resourceLinkId: string;
  startDateTime: string;
  endDateTime: string;
}

export function lineItemForm(item?: AgsLineItem | null, defaults: { resourceLinkId?: string } = {}): LineItemForm {
  return {
    id: item?.id ?? '',
    label: item?.label ?? '',
    scoreMaximum: item?.scoreMaximum !== null && item?.scoreMaximum !== undefined ? String(item.scoreMaximum) : item ? '' : '10',
    resourceId: item?.resourceId ?? '',
    tag: item?.tag ?? '',
    resourceLinkId: item ? (item.resourceLinkId ?? '') : (defaults.resourceLinkId ?? ''),
    startDateTime: item?.startDateTime ?? '',
    endDateTime: item?.endDateTime ?? '',
  };
}

const orNull = (s: string) => (s.trim() ? s.trim() : null);

export function lineItemFromForm(f: LineItemForm, original?: AgsLineItem | null): Parsed<AgsLineItem> {
  const problems: Partial<Record<string, string>> = {};
  if (!f.label.trim()) problems.label = 'Required (AGS §3.2.4).';
  const max = num(f.scoreMaximum, 'scoreMaximum', problems);
  if (max === null && !problems.scoreMaximum) problems.scoreMaximum = 'Required (AGS §3.2.4).';
  else if (max !== null && max <= 0 && !problems.scoreMaximum) problems.scoreMaximum = 'Greater than 0.';
  const start = time(f.startDateTime, 'startDateTime', problems);
  const end = time(f.endDateTime, 'endDateTime', problems);
  if (start && end && !problems.startDateTime && !problems.endDateTime && Date.parse(end) < Date.parse(start)) problems.endDateTime = 'Before the start.';
  if (Object.keys(problems).length > 0) return { value: null, problems };
  return {
    value: {
      ...(f.id ? { id: f.id } : {}),
      label: f.label.trim(),
      scoreMaximum: max,
      resourceId: orNull(f.resourceId),
      tag: orNull(f.tag),
      resourceLinkId: orNull(f.resourceLinkId),
      startDateTime: start,
      endDateTime: end,
      // Not on the form: kept as the platform sent it.
      gradesReleased: original?.gradesReleased ?? null,
    },
    problems,
  };
}

// ── line items × members ───────────────────────────────────────────────────────────────────

export interface ServiceGridRow {
  userId: string;
  member: Member | null;
  learner: boolean;
  cells: Array<ResultItem | null>;
}

export interface ServiceGrid {
  columns: AgsLineItem[];
  rows: ServiceGridRow[];
}

const LEARNER = /membership#Learner$|membership\/Learner#|^Learner$/;
export const isLearner = (m: Member) => m.roles.some((r) => LEARNER.test(r));

/**
 * Rows: the roster's learners, then other members with a result, then user ids with a result
 * who are not in the roster (nothing read is hidden); roster order within each. Columns: the line
 * items; a cell is the user's result for it (results keyed by line item id).
 */
export function buildServiceGrid(items: readonly AgsLineItem[], members: readonly Member[], results: ReadonlyMap<string, readonly ResultItem[]>, opts: { allMembers?: boolean } = {}): ServiceGrid {
  const columns = items.filter((i) => !!i.id);
  const byKey = new Map<string, ResultItem>();
  const withResult = new Set<string>();
  for (const col of columns) {
    for (const r of results.get(col.id ?? '') ?? []) {
      byKey.set(`${col.id}\u0000${r.userId}`, r);
      withResult.add(r.userId);
    }
  }
  const row = (userId: string, member: Member | null): ServiceGridRow => ({
    userId,
    member,
    learner: !!member && isLearner(member),
    cells: columns.map((c) => byKey.get(`${c.id}\u0000${userId}`) ?? null),
  });
  const seen = new Set<string>();
  const learners: ServiceGridRow[] = [];
  const others: ServiceGridRow[] = [];
  for (const m of members) {
    if (seen.has(m.user_id)) continue;
    const learner = isLearner(m);
    if (!learner && !withResult.has(m.user_id) && !opts.allMembers) continue;
    seen.add(m.user_id);
    (learner ? learners : others).push(row(m.user_id, m));
  }
  const unknown: ServiceGridRow[] = [];
  for (const col of columns) {
    for (const r of results.get(col.id ?? '') ?? []) {
      if (seen.has(r.userId)) continue;
      seen.add(r.userId);
      unknown.push(row(r.userId, null));
    }
  }
  return { columns, rows: [...learners, ...others, ...unknown] };
}

/** A member's name for lists: name, else given + family, else the user id. */
export function memberName(m: Member): string {
  return m.name || [m.given_name, m.family_name].filter(Boolean).join(' ') || m.user_id;
}

// ── a failed call's exchanges and findings, from the flow ──────────────────────────────────

/** The newest exchange and message ids of a flow: what a call's own records come after. */
export interface FlowMark {
  exchange: number;
  message: number;
}

export function flowMark(detail: Pick<FlowDetail, 'exchanges' | 'messages'>): FlowMark {
  return {
    exchange: detail.exchanges.reduce((n, e) => Math.max(n, e.id), 0),
    message: detail.messages.reduce((n, m) => Math.max(n, m.id), 0),
  };
}

/**
 * A call that fails (a 403 naming the missing scope, a 4xx/5xx, a timeout) answers an error
 * without its log; the engine still records its exchanges and its findings (as a service
 * message) on the flow. This reads them back: the flow's exchanges and service messages newer
 * than the mark taken when the call started.
 */
export function recoveredLog(detail: Pick<FlowDetail, 'exchanges' | 'messages'>, since: FlowMark): CallLog {
  return {
    calls: detail.exchanges
      .filter((e) => e.id > since.exchange)
      .map((e) => ({ step: e.step ?? '', method: e.method, url: e.url, status: e.status ?? null, exchange_id: e.id, error: e.error ?? null })),
    findings: detail.messages.filter((m) => m.id > since.message && SERVICE_KINDS.has(m.message.kind)).flatMap((m) => m.message.report.findings),
  };
}

const SERVICE_KINDS = new Set(['token_request', 'nrps_response', 'ags_response']);
