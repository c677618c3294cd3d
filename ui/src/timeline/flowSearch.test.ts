import { describe, expect, it } from 'vitest';
import type { FlowSummary } from '../bindings';
import { appendPage, nextCursor } from './flowSearch';

const flow = (id: string, over: Partial<FlowSummary> = {}): FlowSummary => ({
  id, side: 'tool', kind: 'lti13_launch', started_at: 1000, updated_at: 1000, verdict: 'valid', title: id, summary: {}, exchange_count: 0, pinned: false, ...over,
});

describe('flow search paging', () => {
  it('pages text results by seq and filtered lists by start time', () => {
    expect(nextCursor(flow('a', { seq: 42 }))).toBe(42);
    expect(nextCursor(flow('a', { started_at: 7 }))).toBe(7);
    expect(nextCursor(undefined)).toBeNull();
  });

  it('does not show a flow twice when a later page matches it again', () => {
    const rows = appendPage([flow('a'), flow('b')], [flow('b'), flow('c')]);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});
