import { describe, expect, it } from 'vitest';
import type { ExchangeSummary } from '../bindings';
import type { EventBatch } from '../transport';
import { emptyBatch } from '../transport/events';
import { ExchangeStore, FIRST_PAGE } from './exchangeStore';

const r = (id: number): ExchangeSummary => ({
  id,
  side: 'tool',
  direction: 'inbound',
  method: 'GET',
  url: `/${id}`,
  status: 200,
  started_at: id,
  duration_ms: 0,
  request_bytes: 0,
  response_bytes: 0,
  request_truncated: false,
});
const range = (hi: number, n: number) => Array.from({ length: n }, (_, i) => r(hi - i));

function setup(pages: (args: { limit?: number | null; before_id?: number }) => ExchangeSummary[]) {
  let handler: ((b: EventBatch) => void) | null = null;
  const calls: unknown[] = [];
  const call = (async (_name: string, args: { limit?: number | null; before_id?: number }) => {
    calls.push(args);
    return pages(args);
  }) as unknown as ConstructorParameters<typeof ExchangeStore>[0];
  const events = ((h: (b: EventBatch) => void) => {
    handler = h;
    return () => undefined;
  }) as ConstructorParameters<typeof ExchangeStore>[1];
  const store = new ExchangeStore(call, events);
  return { store, calls, emit: (b: Partial<EventBatch>) => handler!(emptyBatch(b)) };
}

const tick = () => new Promise((res) => setTimeout(res, 0));

describe('ExchangeStore', () => {
  it('loads the first page and prepends live events', async () => {
    const { store, emit } = setup(() => [r(2), r(1)]);
    store.ensureStarted();
    await tick();
    expect(store.getSnapshot().rows.map((x) => x.id)).toEqual([2, 1]);
    expect(store.getSnapshot().hasMore).toBe(false);
    emit({ exchanges: [r(3), r(4)] });
    expect(store.getSnapshot().rows.map((x) => x.id)).toEqual([4, 3, 2, 1]);
  });

  it('pages older rows with before_id', async () => {
    const { store, calls } = setup((a) => (a.before_id ? range(a.before_id - 1, 10) : range(5000, FIRST_PAGE)));
    store.ensureStarted();
    await tick();
    expect(store.getSnapshot().hasMore).toBe(true);
    await store.loadOlder();
    expect(calls[1]).toMatchObject({ before_id: 5000 - FIRST_PAGE + 1 });
    expect(store.getSnapshot().rows.length).toBe(FIRST_PAGE + 10);
    expect(store.getSnapshot().hasMore).toBe(false);
  });

  it('re-fetches after a lag and restarts when the gap cannot be bridged', async () => {
    let newest = 3;
    const { store, emit } = setup(() => range(newest, Math.min(newest, FIRST_PAGE)));
    store.ensureStarted();
    await tick();
    newest = 10_000;
    emit({ lagged: true });
    await tick();
    const rows = store.getSnapshot().rows;
    expect(rows[0]?.id).toBe(10_000);
    expect(rows.length).toBe(FIRST_PAGE);
    expect(store.getSnapshot().hasMore).toBe(true);
  });
});
