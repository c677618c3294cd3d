import { describe, expect, it } from 'vitest';
import type { ExchangeSummary } from '../bindings';
import { mergeNewestFirst } from './merge';

const r = (id: number, url = `/${id}`): ExchangeSummary => ({
  id,
  side: 'tool',
  direction: 'inbound',
  method: 'GET',
  url,
  status: 200,
  started_at: id,
  duration_ms: 0,
  request_bytes: 0,
  response_bytes: 0,
  request_truncated: false,
});
const ids = (rows: readonly ExchangeSummary[]) => rows.map((x) => x.id);

describe('mergeNewestFirst', () => {
  it('prepends live events newest first', () => {
    expect(ids(mergeNewestFirst([r(3), r(2)], [r(4), r(5)]))).toEqual([5, 4, 3, 2]);
  });
  it('appends an older page', () => {
    expect(ids(mergeNewestFirst([r(9), r(8)], [r(7), r(6)]))).toEqual([9, 8, 7, 6]);
  });
  it('deduplicates overlapping pages, the incoming copy winning', () => {
    const merged = mergeNewestFirst([r(5), r(4), r(3)], [r(6), r(4, 'new'), r(2)]);
    expect(ids(merged)).toEqual([6, 5, 4, 3, 2]);
    expect(merged[2]?.url).toBe('new');
  });
  it('deduplicates within one batch (last copy wins)', () => {
    const merged = mergeNewestFirst([], [r(1, 'a'), r(1, 'b')]);
    expect(merged.map((x) => x.url)).toEqual(['b']);
  });
  it('returns the same array when nothing arrives', () => {
    const rows = [r(1)];
    expect(mergeNewestFirst(rows, [])).toBe(rows);
  });
  it('copes with 100k rows quickly', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => r(100_000 - i));
    const t0 = performance.now();
    const merged = mergeNewestFirst(big, [r(100_001)]);
    expect(merged.length).toBe(100_001);
    expect(merged[0]?.id).toBe(100_001);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});
