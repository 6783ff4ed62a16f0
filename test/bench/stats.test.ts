import { describe, expect, it } from 'vitest';
import { benchOrderBody } from '../../scripts/bench/order-client';
import { countBy, percentile, round } from '../../scripts/bench/stats';
import { latencies } from '../../scripts/bench/summary';

describe('benchmark statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('measures latency from acceptance to the final status and leaves unfinished orders out', () => {
    const orders = [
      { id: 'a', style: 'orchestration' as const, acceptedAtMs: 1_000, finishedAtMs: 1_250, finalStatus: 'Completed' },
      { id: 'b', style: 'orchestration' as const, acceptedAtMs: 1_000, finishedAtMs: 1_050, finalStatus: 'Cancelled' },
      { id: 'c', style: 'orchestration' as const, acceptedAtMs: 1_000 },
    ];
    expect(latencies(orders)).toEqual([50, 250]);
    expect(countBy(orders, (order) => order.finalStatus ?? 'unfinished')).toEqual({ Completed: 1, Cancelled: 1, unfinished: 1 });
    expect(round(2 / 3, 2)).toBe(0.67);
  });

  it('makes the requested share of orders fail, half by a declined card and half by an undeliverable country', () => {
    const bodies = Array.from({ length: 100 }, (_, i) => benchOrderBody('choreography', i, 0.2) as {
      payment: { cardNumber: string };
      shippingAddress: { country: string };
      sagaStyle: string;
    });
    const declined = bodies.filter((body) => body.payment.cardNumber === '4000000000000002').length;
    const undeliverable = bodies.filter((body) => body.shippingAddress.country === 'AQ').length;
    expect(declined).toBe(10);
    expect(undeliverable).toBe(10);
    expect(bodies.every((body) => body.sagaStyle === 'choreography')).toBe(true);
    expect((benchOrderBody('orchestration', 3, 0) as { payment: { cardNumber: string } }).payment.cardNumber).toBe('4242424242424242');
  });
});
