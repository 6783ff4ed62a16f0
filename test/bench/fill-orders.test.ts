import { describe, expect, it } from 'vitest';
import { fillOrder } from '../../scripts/bench/fill-orders';
import { FINAL_ORDER_STATUSES, StoredOrderSchema } from '../../src/domain';
import { countBy } from '../../scripts/bench/stats';

const now = Date.parse('2026-06-01T12:00:00.000Z');
const orders = Array.from({ length: 1000 }, (_, n) => fillOrder(n, 1000, now));

describe('orders that fill the store for the data-size mode', () => {
  it('are valid stored orders, with the totals their items add up to', () => {
    for (const order of orders) {
      expect(StoredOrderSchema.parse(order)).toEqual(order);
      const total = order.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
      expect(order.totalAmount).toBeCloseTo(total, 2);
    }
  });

  it('are spread over final statuses, customers, styles and the past, all before the measured orders', () => {
    const statuses = countBy(orders, (order) => order.status);
    expect(Object.keys(statuses).sort()).toEqual([...FINAL_ORDER_STATUSES].sort());
    // The filtered listing looks for Failed: a tenth of the store.
    expect(statuses.Failed).toBe(100);
    expect(new Set(orders.map((order) => order.customerId)).size).toBe(1000);
    expect(new Set(orders.map((order) => order.sagaStyle))).toEqual(new Set(['orchestration', 'choreography']));
    expect(new Set(orders.map((order) => order.id)).size).toBe(orders.length);
    const created = orders.map((order) => Date.parse(order.createdAt));
    expect(Math.max(...created)).toBeLessThan(now - 3_600_000);
    expect(Math.max(...created) - Math.min(...created)).toBeGreaterThan(3_600_000);
    for (const order of orders) expect(Date.parse(order.updatedAt)).toBeGreaterThan(Date.parse(order.createdAt));
  });

  it('are the same for the same position, so a refill on the same data folder writes nothing twice', () => {
    expect(fillOrder(42, 1000, now)).toEqual(orders[42]);
  });
});
