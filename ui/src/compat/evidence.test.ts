import { describe, expect, it } from 'vitest';
import type { Finding, LibraryStance, RuleEvidence } from '../bindings';
import { stanceText, wouldRejectBy } from './evidence';

const finding = (rule_id: string, outcome: Finding['outcome']): Finding => ({
  rule_id,
  outcome,
  severity: 'error',
  title: '',
  message: '',
  path: null,
  expected: null,
  actual: null,
  spec_section: '',
  spec_url: '',
  hint: null,
});

const ev = (rule: string, stances: Array<[string, RuleEvidence['libraries'][number]['stance']]>): RuleEvidence => ({
  rule,
  mode: null,
  summary: '',
  lowered_to_warning: false,
  severity: 'error',
  libraries: stances.map(([library, stance]) => ({ library, version: '1', stance, message: stance === 'accepts' ? null : 'no', cases: 2, refused: stance === 'partly' ? 1 : 2 })),
});

const evidence = new Map([
  ['lti.custom', ev('lti.custom', [['A', 'accepts'], ['B', 'rejects']])],
  ['lti.roles_vocabulary', ev('lti.roles_vocabulary', [['A', 'accepts'], ['B', 'accepts']])],
  ['sr.for_user', ev('sr.for_user', [['A', 'partly'], ['B', 'not_applicable']])],
]);

describe('wouldRejectBy', () => {
  it('names the libraries that refuse any failed rule, once each', () => {
    const r = wouldRejectBy([finding('lti.custom', 'fail'), finding('sr.for_user', 'fail'), finding('lti.roles_vocabulary', 'fail')], evidence);
    expect(r).toEqual({ measured: true, rejectedBy: ['B 1', 'A 1'], libraries: ['A 1', 'B 1'] });
  });
  it('ignores passed checks and unmeasured rules', () => {
    expect(wouldRejectBy([finding('lti.custom', 'pass'), finding('lti.unmeasured', 'fail')], evidence).measured).toBe(false);
  });
  it('leaves out a failure the check reports at another severity (another way of breaking the rule)', () => {
    const relative = { ...finding('lti.custom', 'fail'), severity: 'warning' as const };
    expect(wouldRejectBy([relative], evidence).measured).toBe(false);
  });
  it('says no library refuses when every measured one accepts', () => {
    const r = wouldRejectBy([finding('lti.roles_vocabulary', 'fail')], evidence);
    expect(r.measured).toBe(true);
    expect(r.rejectedBy).toEqual([]);
  });
});

describe('stanceText', () => {
  it('quotes the library', () => {
    const [a, b] = evidence.get('lti.custom')!.libraries as [LibraryStance, LibraryStance];
    expect(stanceText(a)).toBe('accepts');
    expect(stanceText(b)).toBe('rejects: no');
    const [p, n] = evidence.get('sr.for_user')!.libraries as [LibraryStance, LibraryStance];
    expect(stanceText(p)).toBe('rejects 1 of 2 cases: no');
    expect(stanceText(n)).toBe('not asked: it refuses the message itself (no)');
  });
});
