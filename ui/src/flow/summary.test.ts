import { describe, expect, it } from 'vitest';
import type { FlowSummary } from '../bindings';
import { flowFacts, verdictTone } from './summary';

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
