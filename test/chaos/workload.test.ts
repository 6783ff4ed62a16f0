import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../scripts/chaos/random';
import { planWorkload } from '../../scripts/chaos/workload';
import { CreateOrderRequestSchema, DEMO_CATALOG } from '../../src/domain';

const options = { orders: 400, styles: ['orchestration', 'choreography'] as const, duplicateShare: 0.15, runId: 'x' };

describe('the chaos workload', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(planWorkload(new SeededRandom(42), options)).toEqual(planWorkload(new SeededRandom(42), options));
    expect(planWorkload(new SeededRandom(43), options)).not.toEqual(planWorkload(new SeededRandom(42), options));
  });

  it('mixes both styles, every intent and duplicate requests, each a valid order for the catalog', () => {
    const plan = planWorkload(new SeededRandom(1), options);
    expect(new Set(plan.map((order) => order.style))).toEqual(new Set(options.styles));
    expect(new Set(plan.map((order) => order.intent)).size).toBe(10);
    expect(plan.some((order) => order.copies === 2)).toBe(true);
    const known = new Set(DEMO_CATALOG.map((entry) => entry.id));
    for (const order of plan) {
      expect(CreateOrderRequestSchema.safeParse(order.body).success).toBe(true);
      for (const item of order.body.items) expect(known.has(item.productId)).toBe(true);
    }
  });
});
