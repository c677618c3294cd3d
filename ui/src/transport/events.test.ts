import { describe, expect, it } from 'vitest';
import type { ExchangeSummary, FlowSummary, ModelKind } from '../bindings';
import { emptyBatch, EventHub, FrameBatcher, mergeEvents, type EventBatch } from './events';
import type { RawEvent } from './types';

const ex = (id: number, url = `/${id}`): ExchangeSummary => ({
  id,
  side: 'tool',
  direction: 'inbound',
  method: 'GET',
  url,
  status: 200,
  started_at: 0,
  duration_ms: 0,
  request_bytes: 0,
  response_bytes: 0,
  request_truncated: false,
});
const flow = (id: string, verdict: string): FlowSummary => ({
  id,
  side: 'tool',
  kind: 'launch',
  started_at: 0,
  updated_at: 0,
  verdict,
  title: id,
  summary: {},
  exchange_count: 1,
  pinned: false,
});
const recorded = (e: ExchangeSummary): RawEvent => ({ kind: 'engine', event: { type: 'exchange_recorded', exchange: e } });
const updated = (f: FlowSummary): RawEvent => ({ kind: 'engine', event: { type: 'flow_updated', flow: f } });

/** A scheduler that runs callbacks only when told to (one "frame"). */
function manualFrames() {
  const queue: Array<() => void> = [];
  return {
    schedule: (cb: () => void) => void queue.push(cb),
    frame: () => queue.splice(0).forEach((cb) => cb()),
    pending: () => queue.length,
  };
}

describe('mergeEvents', () => {
  it('keeps exchanges in order, one per id, and the last update of each flow', () => {
    const b = mergeEvents([recorded(ex(1)), updated(flow('f', 'pending')), recorded(ex(2)), recorded(ex(1, 'again')), updated(flow('f', 'valid'))]);
    expect(b.exchanges.map((e) => [e.id, e.url])).toEqual([
      [1, 'again'],
      [2, '/2'],
    ]);
    expect(b.flows.map((f) => f.verdict)).toEqual(['valid']);
    expect(b.lagged).toBe(false);
  });
  it('collects changed model kinds once each', () => {
    const changed = (model: ModelKind): RawEvent => ({ kind: 'engine', event: { type: 'model_changed', model, id: 'x' } });
    expect(mergeEvents([changed('platform'), changed('grade'), changed('platform')]).models).toEqual(['platform', 'grade']);
  });

  it('collapses status changes into one flag', () => {
    const changed: RawEvent = { kind: 'engine', event: { type: 'status_changed' } };
    const b = mergeEvents([changed, recorded(ex(1)), changed]);
    expect(b.statusChanged).toBe(true);
    expect(b.exchanges).toHaveLength(1);
    expect(mergeEvents([recorded(ex(2))]).statusChanged).toBe(false);
  });
  it('reports a lag anywhere in the batch', () => {
    expect(mergeEvents([recorded(ex(1)), { kind: 'lagged' }]).lagged).toBe(true);
  });
  it('ignores event types it does not know', () => {
    const unknown = { kind: 'engine', event: { type: 'finding_added' } } as unknown as RawEvent;
    expect(mergeEvents([unknown])).toEqual(emptyBatch());
  });
  it('keeps the last route a page asked the window to show', () => {
    const open = (route: string): RawEvent => ({ kind: 'engine', event: { type: 'open_in_app', route } });
    expect(mergeEvents([open('flows/a'), recorded(ex(1)), open('flows/b')]).openRoute).toBe('flows/b');
    expect(mergeEvents([recorded(ex(1))]).openRoute).toBeNull();
  });
  it('keeps the last progress of each import', () => {
    const at = (upload_id: string, read_bytes: number): RawEvent => ({
      kind: 'engine',
      event: { type: 'import_progress', progress: { upload_id, read_bytes, total_bytes: 100, entries: read_bytes / 10 } },
    });
    const b = mergeEvents([at('a', 10), at('b', 5), at('a', 60)]);
    expect(b.importProgress).toEqual([
      { upload_id: 'a', read_bytes: 60, total_bytes: 100, entries: 6 },
      { upload_id: 'b', read_bytes: 5, total_bytes: 100, entries: 0.5 },
    ]);
  });
});

describe('FrameBatcher', () => {
  it('delivers a burst once per frame', () => {
    const frames = manualFrames();
    const delivered: number[][] = [];
    const b = new FrameBatcher<number>((items) => delivered.push(items), frames.schedule);
    for (let i = 0; i < 1000; i++) b.push(i);
    expect(frames.pending()).toBe(1);
    expect(delivered).toEqual([]);
    frames.frame();
    expect(delivered.length).toBe(1);
    expect(delivered[0]?.length).toBe(1000);
    b.push(1000);
    frames.frame();
    expect(delivered).toHaveLength(2);
    expect(delivered[1]).toEqual([1000]);
    frames.frame();
    expect(delivered).toHaveLength(2);
  });
});

describe('EventHub', () => {
  it('opens the stream once, fans out merged batches, closes after the last subscriber', () => {
    const frames = manualFrames();
    let emit: ((e: RawEvent) => void) | null = null;
    let opened = 0;
    let closed = 0;
    const hub = new EventHub((h) => {
      opened++;
      emit = h;
      return () => void closed++;
    }, frames.schedule);
    const a: EventBatch[] = [];
    const b: EventBatch[] = [];
    const ua = hub.subscribe((x) => a.push(x));
    const ub = hub.subscribe((x) => b.push(x));
    expect(opened).toBe(1);
    for (let i = 1; i <= 50; i++) emit!(recorded(ex(i)));
    frames.frame();
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(a[0]?.exchanges).toHaveLength(50);
    ua();
    expect(closed).toBe(0);
    ub();
    expect(closed).toBe(1);
  });
});

describe('deleted flows', () => {
  it('drop the flow and its exchanges from the batch; an empty list means re-read', () => {
    const del = (ids: string[]): RawEvent => ({ kind: 'engine', event: { type: 'flows_deleted', ids } });
    const b = mergeEvents([recorded(ex(1)), del([])]);
    expect(b.lagged).toBe(true);
    const c = mergeEvents([del(['f1'])]);
    expect(c.deletedFlows).toEqual(['f1']);
    expect(c.lagged).toBe(false);
  });
});
