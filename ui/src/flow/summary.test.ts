import { describe, expect, it } from 'vitest';
import type { FlowSummary } from '../bindings';
import { acceptedDespiteNegative, flowFacts, negativeOutcome, verdictTone } from './summary';

const flow = (summary: Record<string, string>): FlowSummary => ({
  id: 'f',
  side: 'tool',
  kind: 'lti13_launch',
  started_at: 0,
  updated_at: 0,
  verdict: 'invalid',
  title: 't',
  summary,
  exchange_count: 1,
  pinned: false,
});

describe('flowFacts', () => {
  it('reads the summary map', () => {
    expect(flowFacts(flow({ platform: 'Canvas', issuer: 'https://canvas.instructure.com', user: 'Jane', errors: '2', warnings: '0' }))).toMatchObject({
      platform: 'Canvas',
      user: 'Jane',
      errors: 2,
      warnings: 0,
    });
  });
  it('falls back to the issuer and keeps missing counts unknown (not zero)', () => {
    const x = flowFacts(flow({ issuer: 'https://unknown.example' }));
    expect(x.platform).toBe('https://unknown.example');
    expect(x.errors).toBeNull();
    expect(flowFacts(flow({ errors: 'many' })).errors).toBeNull();
  });
  it('maps verdicts to tones', () => {
    expect(['valid', 'invalid', 'unverified', 'pending', 'weird'].map(verdictTone)).toEqual(['green', 'red', 'amber', 'neutral', 'neutral']);
  });
});

describe('negative tests', () => {
  const emulatorFlow = (summary: Record<string, string>): FlowSummary => ({ ...flow(summary), side: 'emulator' });
  it('failed as intended only when the meant rule failed (emulator rule ids and composer labels)', () => {
    expect(negativeOutcome(flowFacts(emulatorFlow({ negative_test: 'idtoken.exp', failed_rules: 'idtoken.exp' })))).toBe('intended');
    expect(negativeOutcome(flowFacts(emulatorFlow({ negative_test: 'idtoken.exp', failed_rules: 'jwt.kid' })))).toBe('missed');
    expect(negativeOutcome(flowFacts(emulatorFlow({ negative_test: 'Wrong audience (idtoken.aud)', failed_rules: 'idtoken.aud' })))).toBe('intended');
    expect(negativeOutcome(flowFacts(emulatorFlow({})))).toBeNull();
  });
  it('names the tool-side flow that accepted a broken launch', () => {
    const x = flowFacts(emulatorFlow({ negative_test: 'idtoken.exp', failed_rules: 'idtoken.exp' }));
    const accepted = { ...flow({}), id: 'tool-ok', verdict: 'valid' };
    const refused = { ...flow({}), id: 'tool-refused', verdict: 'invalid' };
    const otherEmulator = { ...emulatorFlow({}), id: 'em', verdict: 'valid' };
    expect(acceptedDespiteNegative(x, [refused, accepted, otherEmulator]).map((r) => r.id)).toEqual(['tool-ok']);
    expect(acceptedDespiteNegative(x, [refused])).toEqual([]);
    expect(acceptedDespiteNegative(flowFacts(emulatorFlow({})), [accepted])).toEqual([]);
  });
});
