import { describe, expect, it } from 'vitest';
import type { AgsLineItem, FlowDetail, Member, MessageView, ResultItem } from '../bindings';
import { AGS_CLAIM, buildServiceGrid, emptyScoreForm, flowMark, recoveredLog, lineItemForm, lineItemFromForm, NRPS_CLAIM, nowTimestamp, scoreArgs, serviceClaims, servicesBlocked, shortScope } from './model';

const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';

function member(user_id: string, roles: string[], name = user_id): Member {
  return { user_id, roles, role_badges: [], name, raw: {} };
}

function idToken(payload: Record<string, unknown>): MessageView {
  return {
    id: 1,
    message: { kind: 'id_token', step: 'launch', report: { findings: [] }, verdict: 'valid', counts: { passed: 0, failed: 0, skipped: 0, errors: 0, warnings: 0, infos: 0 }, validated_at: 0 },
    decoded: { header: {}, payload: payload as never, raw_header: '', raw_payload: '', raw_signature: '' },
    claims: [],
    roles: [],
  };
}

function withSignature(m: MessageView, outcome: 'pass' | 'fail' | 'skipped', message: string): MessageView {
  const finding = { rule_id: 'jwt.signature', outcome, message, severity: 'error', title: '', spec_section: '', spec_url: '' };
  return { ...m, message: { ...m.message, report: { findings: [finding as never] } } };
}

describe('servicesBlocked', () => {
  it('allows services only when the latest launch signature verified', () => {
    const ok = withSignature(idToken({}), 'pass', 'verified');
    const forged = withSignature(idToken({}), 'fail', 'The signature does not verify with key k1.');
    expect(servicesBlocked({ messages: [ok] })).toBeNull();
    expect(servicesBlocked({ messages: [forged] })).toContain('does not verify with key k1');
    expect(servicesBlocked({ messages: [ok, forged] })).toContain('signature verified against a registered platform');
    expect(servicesBlocked({ messages: [idToken({})] })).toContain('never checked');
    expect(servicesBlocked({ messages: [] })).toContain('no launch');
  });
});

describe('serviceClaims', () => {
  it('reads the AGS endpoint and NRPS claims of the id_token', () => {
    const d = {
      messages: [
        idToken({
          [AGS_CLAIM]: { scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score', 7], lineitems: 'https://p/li', lineitem: 'https://p/li/1' },
          [NRPS_CLAIM]: { context_memberships_url: 'https://p/m', service_versions: ['2.0'] },
        }),
      ],
    } as Pick<FlowDetail, 'messages'>;
    const c = serviceClaims(d);
    expect(c.ags).toEqual({ scopes: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'], lineitems: 'https://p/li', lineitem: 'https://p/li/1' });
    expect(c.nrps).toEqual({ membershipsUrl: 'https://p/m', versions: ['2.0'] });
    expect(shortScope(c.ags!.scopes[0]!)).toBe('score');
  });
  it('is empty without claims, with a non-object claim, or without an id_token', () => {
    expect(serviceClaims({ messages: [idToken({ [AGS_CLAIM]: 'x', [NRPS_CLAIM]: [1] })] })).toEqual({ ags: null, nrps: null });
    expect(serviceClaims({ messages: [] })).toEqual({ ags: null, nrps: null });
  });
});

describe('nowTimestamp', () => {
  it('is RFC 3339 UTC with microseconds', () => {
    expect(nowTimestamp(Date.UTC(2026, 10, 27, 10, 55, 51, 615) + 0.3217)).toBe('2026-11-27T10:55:51.615321Z');
    expect(nowTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe('2026-01-02T03:04:05.006000Z');
    expect(nowTimestamp()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });
});

describe('scoreArgs', () => {
  const now = () => '2026-11-27T10:55:51.615321Z';
  it('maps every field, the timestamp defaulting to now', () => {
    const f = { ...emptyScoreForm('demo-learner-1', '10'), scoreGiven: '7.5', comment: 'Good', activityProgress: 'Submitted', gradingProgress: 'PendingManual', startedAt: '2026-11-27T10:00:00Z', submittedAt: '2026-11-27T10:30:00.5+01:00' };
    const r = scoreArgs('flow1', 'https://p/li/1', f, now);
    expect(r.problems).toEqual({});
    expect(r.value).toEqual({
      flow_id: 'flow1',
      line_item_url: 'https://p/li/1',
      user_id: 'demo-learner-1',
      score_given: 7.5,
      score_maximum: 10,
      comment: 'Good',
      activity_progress: 'Submitted',
      grading_progress: 'PendingManual',
      timestamp: '2026-11-27T10:55:51.615321Z',
      started_at: '2026-11-27T10:00:00Z',
      submitted_at: '2026-11-27T10:30:00.5+01:00',
    });
  });
  it('keeps an edited timestamp and allows a score-less progress update', () => {
    const f = { ...emptyScoreForm('u1'), activityProgress: 'Started', gradingProgress: 'NotReady', timestamp: '2026-01-01T00:00:00.123456Z' };
    const r = scoreArgs('flow1', null, f, now);
    expect(r.value).toMatchObject({ score_given: null, score_maximum: null, comment: null, timestamp: '2026-01-01T00:00:00.123456Z', started_at: null });
  });
  it('reports bad input per field', () => {
    const r = scoreArgs('flow1', null, { ...emptyScoreForm(''), scoreGiven: '-1', timestamp: 'yesterday', startedAt: '2026-13-01' }, now);
    expect(r.value).toBeNull();
    expect(Object.keys(r.problems).sort()).toEqual(['scoreGiven', 'scoreMaximum', 'startedAt', 'timestamp', 'userId']);
    expect(scoreArgs('f', null, { ...emptyScoreForm('u'), scoreGiven: '5' }, now).problems.scoreMaximum).toMatch(/Required/);
    expect(scoreArgs('f', null, { ...emptyScoreForm('u'), scoreGiven: '5', scoreMaximum: '0' }, now).problems.scoreMaximum).toMatch(/Greater/);
  });
});

describe('line item form', () => {
  it('round-trips a line item, keeping gradesReleased', () => {
    const item: AgsLineItem = { id: 'https://p/li/1', label: 'Quiz', scoreMaximum: 20, resourceId: 'r', tag: 't', resourceLinkId: 'rl', startDateTime: '2026-12-01T00:00:00Z', endDateTime: '2026-12-31T00:00:00Z', gradesReleased: true };
    expect(lineItemFromForm(lineItemForm(item), item).value).toEqual(item);
  });
  it('creates without an id, with the launch link as default, empty fields null', () => {
    const f = { ...lineItemForm(null, { resourceLinkId: 'rl-1' }), label: ' New ' };
    expect(f.scoreMaximum).toBe('10');
    expect(lineItemFromForm(f).value).toEqual({ label: 'New', scoreMaximum: 10, resourceId: null, tag: null, resourceLinkId: 'rl-1', startDateTime: null, endDateTime: null, gradesReleased: null });
  });
  it('requires label and a positive maximum; dates in order', () => {
    const r = lineItemFromForm({ ...lineItemForm(null), scoreMaximum: '0', startDateTime: '2026-12-02T00:00:00Z', endDateTime: '2026-12-01T00:00:00Z' });
    expect(r.value).toBeNull();
    expect(Object.keys(r.problems).sort()).toEqual(['endDateTime', 'label', 'scoreMaximum']);
  });
});

describe('buildServiceGrid', () => {
  const items: AgsLineItem[] = [
    { id: 'https://p/li/1', label: 'A', scoreMaximum: 10 },
    { id: 'https://p/li/2', label: 'B', scoreMaximum: 5 },
    { label: 'no id' },
  ];
  const members = [member('t', [INSTRUCTOR], 'Grace'), member('l1', [LEARNER]), member('l2', [LEARNER]), member('ta', [INSTRUCTOR])];
  const results = new Map<string, ResultItem[]>([
    ['https://p/li/1', [{ userId: 'l2', resultScore: 7, resultMaximum: 10 }, { userId: 'ta', resultScore: 1, resultMaximum: 10 }, { userId: 'gone', resultScore: 2, resultMaximum: 10 }]],
    ['https://p/li/2', [{ userId: 'l1', resultScore: 5, resultMaximum: 5 }]],
  ]);
  it('learners, then graded members, then unknown users; cells by line item', () => {
    const g = buildServiceGrid(items, members, results);
    expect(g.columns.map((c) => c.label)).toEqual(['A', 'B']);
    expect(g.rows.map((r) => r.userId)).toEqual(['l1', 'l2', 'ta', 'gone']);
    expect(g.rows.map((r) => r.cells.map((c) => c?.resultScore ?? null))).toEqual([
      [null, 5],
      [7, null],
      [1, null],
      [2, null],
    ]);
    expect(g.rows[3]!.member).toBeNull();
    expect(g.rows[2]!.learner).toBe(false);
  });
  it('every member on request; no results → learner rows with empty cells', () => {
    expect(buildServiceGrid(items, members, results, { allMembers: true }).rows.map((r) => r.userId)).toEqual(['l1', 'l2', 't', 'ta', 'gone']);
    const g = buildServiceGrid(items, members, new Map());
    expect(g.rows.map((r) => r.userId)).toEqual(['l1', 'l2']);
    expect(g.rows.every((r) => r.cells.every((c) => c === null))).toBe(true);
  });
});

describe('recoveredLog', () => {
  const ex = (id: number, status: number | null, step = 'ags') => ({ id, flow_id: 'f', side: 'tool' as const, direction: 'outbound' as const, step, method: 'POST', url: `https://p/${id}`, status, started_at: 0, duration_ms: 1, request_bytes: 0, response_bytes: 0, request_truncated: false });
  const msg = (id: number, kind: string, rule: string): MessageView => ({
    ...idToken({}),
    id,
    message: { ...idToken({}).message, kind, report: { findings: [{ rule_id: rule, severity: 'error', outcome: 'fail', title: '', message: '', path: null, expected: null, actual: null, spec_section: '', spec_url: '', hint: null }] } },
  });
  it('takes the exchanges and service findings recorded after the mark', () => {
    const before = { exchanges: [ex(1, 200), ex(2, 200)], messages: [msg(1, 'id_token', 'idtoken.aud')] };
    const mark = flowMark(before);
    expect(mark).toEqual({ exchange: 2, message: 1 });
    const after = { exchanges: [...before.exchanges, ex(5, 200, 'token'), ex(6, 403)], messages: [...before.messages, msg(3, 'ags_response', 'service.insufficient_scope')] };
    const log = recoveredLog(after, mark);
    expect(log.calls.map((c) => [c.exchange_id, c.step, c.status])).toEqual([
      [5, 'token', 200],
      [6, 'ags', 403],
    ]);
    expect(log.findings.map((f) => f.rule_id)).toEqual(['service.insufficient_scope']);
    expect(recoveredLog(before, mark)).toEqual({ calls: [], findings: [] });
  });
});
