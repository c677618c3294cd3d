import { describe, expect, it } from 'vitest';
import type { FlowSummary } from '../bindings';
import type { EventBatch } from '../transport';
import { emptyBatch } from '../transport/events';
import { FlowStore, mergeLoaded, upsertFlows } from './flowStore';

const fl = (id: string, started_at: number, p: Partial<FlowSummary> = {}): FlowSummary => ({
  id,
  side: 'tool',
  kind: 'lti13_launch',
  started_at,
  updated_at: started_at,
  verdict: 'pending',
  title: `flow ${id}`,
  summary: {},
  exchange_count: 1,
  pinned: false,
  ...p,
});

describe('upsertFlows', () => {
  it('prepends new flows newest first and replaces updated ones in place', () => {
    const rows = [fl('b', 20), fl('a', 10)];
    const next = upsertFlows(rows, [fl('c', 30), fl('a', 10, { verdict: 'valid', updated_at: 11 }), fl('d', 40)]);
    expect(next.map((f) => f.id)).toEqual(['d', 'c', 'b', 'a']);
    expect(next[3]?.verdict).toBe('valid');
    expect(upsertFlows(rows, [])).toBe(rows);
    expect(upsertFlows(rows, [rows[0] as FlowSummary])).toBe(rows);
  });
  it('places an older flow by its start time, ties by id', () => {
    const next = upsertFlows([fl('c', 30), fl('a', 10)], [fl('b', 20), fl('e', 30)]);
    expect(next.map((f) => f.id)).toEqual(['e', 'c', 'b', 'a']);
  });
  it('keeps newer event copies over a reloaded list', () => {
    const merged = mergeLoaded([fl('a', 10), fl('b', 20)], [fl('b', 20, { verdict: 'invalid', updated_at: 25 }), fl('z', 30), fl('old', 1)]);
    expect(merged.map((f) => `${f.id}:${f.verdict}`)).toEqual(['z:pending', 'b:invalid', 'a:pending']);
  });
});

describe('FlowStore', () => {
  it('loads, then upserts flow_updated events and reloads after a lag', async () => {
    let handler: ((b: EventBatch) => void) | null = null;
    let calls = 0;
    const call = (async () => {
      calls++;
      return [fl('a', 10)];
    }) as unknown as ConstructorParameters<typeof FlowStore>[0];
    const events = ((h: (b: EventBatch) => void) => {
      handler = h;
      return () => undefined;
    }) as ConstructorParameters<typeof FlowStore>[1];
    const store = new FlowStore(call, events);
    store.ensureStarted();
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getSnapshot()).toMatchObject({ phase: 'ready', truncated: false });
    const emit = (b: Partial<EventBatch>) => handler!(emptyBatch(b));
    emit({ flows: [fl('b', 20), fl('a', 10, { verdict: 'valid', updated_at: 12 })] });
    expect(store.getSnapshot().rows.map((f) => `${f.id}:${f.verdict}`)).toEqual(['b:pending', 'a:valid']);
    emit({ lagged: true });
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toBe(2);
  });
});
