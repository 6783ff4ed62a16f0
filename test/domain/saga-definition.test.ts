import { describe, expect, it } from 'vitest';
import { COMPENSATION_RETRY, compensationPlan, ORDER_SAGA, retryDelayMs, STEP_RETRY, type ForwardStepName } from '../../src/domain';

describe('the order saga', () => {
  it('runs ReserveInventory, ProcessPayment, FulfillOrder, each with its compensation', () => {
    expect(ORDER_SAGA.map((step) => [step.name, step.compensation])).toEqual([
      ['ReserveInventory', 'ReleaseInventory'],
      ['ProcessPayment', 'RefundPayment'],
      ['FulfillOrder', 'CancelFulfillment'],
    ]);
  });

  it.each<[ForwardStepName, string[]]>([
    ['ReserveInventory', ['ReleaseInventory']],
    ['ProcessPayment', ['RefundPayment', 'ReleaseInventory']],
    ['FulfillOrder', ['CancelFulfillment', 'RefundPayment', 'ReleaseInventory']],
  ])('compensates a failure at %s with %j', (failedStep, plan) => {
    expect(compensationPlan(failedStep)).toEqual(plan);
  });

  it('rejects an unknown step', () => {
    expect(() => compensationPlan('ShipByDrone' as ForwardStepName)).toThrow(/Unknown saga step/);
  });

  it('retries compensations harder than forward steps', () => {
    expect(COMPENSATION_RETRY.maxNumberOfAttempts).toBeGreaterThan(STEP_RETRY.maxNumberOfAttempts);
  });

  it('backs off exponentially up to the cap', () => {
    expect([2, 3, 4, 5, 6].map((attempt) => retryDelayMs(STEP_RETRY, attempt))).toEqual([500, 1000, 2000, 4000, 5000]);
  });
});
