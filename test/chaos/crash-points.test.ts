import { describe, expect, it } from 'vitest';
import { crashPoints } from '../../scripts/chaos/run';

describe('where a chaos run kills the host', () => {
  it('spreads the crashes over the placing phase, the same for the same seed', () => {
    const points = crashPoints(7, 3, 60);
    expect(points).toEqual(crashPoints(7, 3, 60));
    expect(points).toHaveLength(3);
    expect([...points].sort((a, b) => a - b)).toEqual(points);
    for (const point of points) expect(point).toBeGreaterThanOrEqual(1);
    for (const point of points) expect(point).toBeLessThan(60);
    expect(points[0]).toBeLessThan(30);
    expect(points[2]).toBeGreaterThan(30);
  });

  it('never kills it without crashes asked for', () => {
    expect(crashPoints(7, 0, 60)).toEqual([]);
  });
});
