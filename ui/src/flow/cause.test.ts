import { describe, expect, it } from 'vitest';
import type { Finding, FlowDetail } from '../bindings';
import { causesOf, failedSteps, humanMessage, humanSeconds, humanTimes, stashPrefill, takePrefill, unknownPlatform } from './cause';

const finding = (rule_id: string, outcome: string, severity = 'error', extra: Partial<Finding> = {}) =>
  ({ rule_id, outcome, severity, title: rule_id, message: 'm', path: null, expected: null, actual: null, spec_section: '', spec_url: '', hint: null, ...extra }) as unknown as Finding;

const detail = (verdict: string, messages: Array<{ kind: string; step: string; findings: Finding[]; payload?: Record<string, unknown>; params?: Array<{ name: string; value: string }> }>) =>
  ({
    flow: { verdict, summary: {} },
    messages: messages.map((m) => ({ message: { kind: m.kind, step: m.step, report: { findings: m.findings }, params: m.params ?? null }, decoded: m.payload ? { payload: m.payload } : null })),
  }) as unknown as FlowDetail;

describe('why a flow failed', () => {
  it('lists failed errors of every message, not warnings or passes; marks their steps', () => {
    const d = detail('invalid', [
      { kind: 'login', step: 'login', findings: [finding('login.iss', 'pass')] },
      { kind: 'id_token', step: 'launch', findings: [finding('idtoken.exp', 'fail'), finding('lti.roles', 'fail', 'warning')] },
    ]);
    expect(causesOf(d).map((c) => c.finding.rule_id)).toEqual(['idtoken.exp']);
    expect([...failedSteps(d)]).toEqual(['launch']);
  });

  it('an unverified flow says why the signature was not checked', () => {
    const d = detail('unverified', [{ kind: 'id_token', step: 'launch', findings: [finding('jwt.signature', 'skipped'), finding('idtoken.nbf', 'skipped')] }]);
    expect(causesOf(d).map((c) => c.finding.rule_id)).toEqual(['jwt.signature']);
    expect(failedSteps(d).size).toBe(0);
  });

  it('says seconds and epoch times as people do', () => {
    expect(humanSeconds(11)).toBe('11 s');
    expect(humanSeconds(3301)).toBe('55 min 1 s');
    expect(humanSeconds(3 * 3600 + 120 + 5)).toBe('3 h 2 min');
    expect(humanSeconds(2 * 86400 + 3 * 3600)).toBe('2 d 3 h');
    expect(humanMessage('Expired 3301 seconds ago (leeway 5s).')).toBe('Expired 55 min 1 s ago (leeway 5s).');
    expect(humanTimes('now < 1796449601 + 5s leeway', (ms) => new Date(ms).toISOString())).toBe('now < 2026-12-05T05:46:41.000Z (1796449601) + 5s leeway');
    expect(humanTimes('kid 42 and port 4471')).toBe('kid 42 and port 4471');
  });

  it('offers to register an unknown platform with what the launch carried', () => {
    const d = detail('invalid', [
      {
        kind: 'id_token',
        step: 'launch',
        findings: [finding('idtoken.iss_registered', 'fail')],
        payload: { iss: 'https://lms.example', aud: ['c1'], 'https://purl.imsglobal.org/spec/lti/claim/deployment_id': 'd1' },
      },
    ]);
    expect(unknownPlatform(d)).toEqual({ issuer: 'https://lms.example', clientId: 'c1', deploymentId: 'd1' });
    expect(unknownPlatform(detail('invalid', [{ kind: 'id_token', step: 'launch', findings: [finding('idtoken.exp', 'fail')] }]))).toBeNull();
    const store = new Map<string, string>();
    const storage = { setItem: (k: string, v: string) => void store.set(k, v), getItem: (k: string) => store.get(k) ?? null, removeItem: (k: string) => void store.delete(k) };
    stashPrefill({ issuer: 'https://lms.example', clientId: 'c1', deploymentId: 'd1' }, storage);
    expect(takePrefill(storage)?.issuer).toBe('https://lms.example');
    expect(takePrefill(storage)).toBeNull();
  });
});
