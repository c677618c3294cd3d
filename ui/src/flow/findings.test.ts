import { describe, expect, it } from 'vitest';
import type { Finding, Outcome, Severity } from '../bindings';
import { findingMatches, groupFindings, worstSeverity } from './findings';

const f = (rule_id: string, severity: Severity, outcome: Outcome, extra: Partial<Finding> = {}): Finding => ({
  rule_id,
  severity,
  outcome,
  title: rule_id,
  message: `${rule_id} ${outcome}`,
  path: null,
  expected: null,
  actual: null,
  spec_section: '§1',
  spec_url: 'https://example/spec',
  hint: null,
  ...extra,
});

describe('groupFindings', () => {
  it('puts failed first by severity, then skipped, then passed, keeping check order', () => {
    const g = groupFindings([
      f('a', 'error', 'pass'),
      f('b', 'warning', 'fail'),
      f('c', 'info', 'skipped'),
      f('d', 'error', 'fail'),
      f('e', 'info', 'fail'),
      f('g', 'error', 'fail'),
      f('h', 'warning', 'pass'),
    ]);
    expect(g.failed.map((x) => [x.severity, x.findings.map((y) => y.rule_id)])).toEqual([
      ['error', ['d', 'g']],
      ['warning', ['b']],
      ['info', ['e']],
    ]);
    expect(g.skipped.map((x) => x.rule_id)).toEqual(['c']);
    expect(g.passed.map((x) => x.rule_id)).toEqual(['a', 'h']);
    expect(g.failedCount).toBe(4);
  });

  it('omits empty groups and counts an unknown severity as an error', () => {
    const g = groupFindings([f('x', 'critical' as Severity, 'fail'), f('y', 'warning', 'pass')]);
    expect(g.failed).toEqual([{ severity: 'error', findings: [expect.objectContaining({ rule_id: 'x' })] }]);
    expect(groupFindings([])).toEqual({ failed: [], skipped: [], passed: [], failedCount: 0 });
  });

  it('finds the worst failed severity', () => {
    expect(worstSeverity([f('a', 'error', 'pass'), f('b', 'info', 'fail'), f('c', 'warning', 'fail')])).toBe('warning');
    expect(worstSeverity([f('a', 'error', 'pass')])).toBeNull();
  });

  it('searches rule id, message, values and hint', () => {
    const x = f('idtoken.aud', 'error', 'fail', { actual: 'cid-999', hint: 'Canvas: use the developer key id' });
    expect(findingMatches(x, 'AUD')).toBe(true);
    expect(findingMatches(x, 'cid-999')).toBe(true);
    expect(findingMatches(x, 'developer key')).toBe(true);
    expect(findingMatches(x, 'nonce')).toBe(false);
    expect(findingMatches(x, '  ')).toBe(true);
  });
});
