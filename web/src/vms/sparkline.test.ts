import { describe, expect, it } from 'vitest';
import { latest, sparkPath } from './sparkline';

describe('sparkPath', () => {
  it('draws the values right-aligned, 0 at the bottom and max at the top', () => {
    expect(sparkPath([0, 50, 100], 100, 20, 100, 3)).toBe('M0,20L50,10L100,0');
    // Two values in five slots: the newest at the right edge.
    expect(sparkPath([100, 0], 100, 20, 100, 5)).toBe('M75,0L100,20');
  });
  it('clips values outside 0..max and keeps only the last slots', () => {
    expect(sparkPath([-5, 250], 10, 10, 100, 2)).toBe('M0,10L10,0');
    expect(sparkPath([1, 2, 3, 100], 10, 10, 100, 2)).toBe('M0,9.7L10,0');
  });
  it('breaks the line at missing values; a lone value is a dot', () => {
    expect(sparkPath([10, null, 20, 30], 30, 10, 100, 4)).toBe('M0,9L0,9M20,8L30,7');
    expect(sparkPath([null, Number.NaN], 30, 10, 100, 4)).toBe('');
  });
  it('draws nothing without values or without a scale', () => {
    expect(sparkPath([], 10, 10, 100)).toBe('');
    expect(sparkPath([1, 2], 10, 10, 0)).toBe('');
  });
  it('the newest value', () => {
    expect(latest([1, 2, null])).toBe(2);
    expect(latest([])).toBeNull();
  });
});
