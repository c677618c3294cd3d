import { describe, expect, it } from 'vitest';
import { formatOffset, formatWhen } from './format';
import { nextIndex } from './useListKeys';

describe('nextIndex', () => {
  it('starts at the first row (or the last going up) and clamps', () => {
    expect(nextIndex(-1, 3, 1)).toBe(0);
    expect(nextIndex(-1, 3, -1)).toBe(2);
    expect(nextIndex(0, 3, -1)).toBe(0);
    expect(nextIndex(2, 3, 1)).toBe(2);
    expect(nextIndex(1, 3, 1)).toBe(2);
    expect(nextIndex(0, 0, 1)).toBe(-1);
  });
});

describe('formatWhen / formatOffset', () => {
  it('shows the time today and the date otherwise', () => {
    const now = new Date(2026, 10, 27, 15, 0, 0).getTime();
    expect(formatWhen(new Date(2026, 10, 27, 9, 5, 7).getTime(), now)).toBe('09:05:07');
    expect(formatWhen(new Date(2026, 10, 26, 9, 5, 7).getTime(), now)).toBe('Nov 26 09:05');
    expect(formatWhen(new Date(2025, 0, 2, 9, 5).getTime(), now)).toBe('Jan 2 2025 09:05');
    expect(formatOffset(0)).toBe('+0 ms');
    expect(formatOffset(4.52)).toBe('+4.5 ms');
    expect(formatOffset(125)).toBe('+125 ms');
  });
});
