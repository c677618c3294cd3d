import { describe, expect, it } from 'vitest';
import { flowOfFilter } from './flowExchanges';

describe('a flow\'s exchanges', () => {
  it('is asked of the store only for an exact flow:<id> filter', () => {
    expect(flowOfFilter('flow:01a2b3')).toBe('01a2b3');
    expect(flowOfFilter('  flow:01a2-b_3 ')).toBe('01a2-b_3');
    expect(flowOfFilter('flow:01a2 POST')).toBeNull();
    expect(flowOfFilter('jwks')).toBeNull();
  });
});
