import { describe, expect, it } from 'vitest';
import {
  finishSaga,
  orderStatusFor,
  pendingCompensations,
  recordCompensation,
  recordStepAttempt,
  recordStepFailed,
  recordStepSucceeded,
  startSaga,
  type OrderSaga,
} from '../../src/domain';

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-01T00:00:01.000Z';
const T2 = '2025-01-01T00:00:02.000Z';
const T3 = '2025-01-01T00:00:03.000Z';

const started = (): OrderSaga => startSaga({ orderId: 'ord-1', sagaStyle: 'choreography', instanceId: null, now: T0 });

describe('saga record transitions', () => {
  it('starts Running with every step Pending', () => {
    const saga = started();
    expect(saga).toMatchObject({ orderId: 'ord-1', sagaStyle: 'choreography', instanceId: null, status: 'Running', compensation: null });
    expect(saga.steps).toEqual(
      ['ReserveInventory', 'ProcessPayment', 'FulfillOrder'].map((name) => ({
        name,
        status: 'Pending',
        attempts: 0,
        startedAt: null,
        completedAt: null,
        error: null,
      })),
    );
    expect(orderStatusFor(saga)).toEqual({ status: 'Processing', statusReason: null });
  });

  it('records attempts, keeping the first start time and the highest attempt', () => {
    let saga = recordStepAttempt(started(), 'ReserveInventory', 1, T1);
    saga = recordStepAttempt(saga, 'ReserveInventory', 3, T2);
    saga = recordStepAttempt(saga, 'ReserveInventory', 2, T3);
    expect(saga.steps[0]).toMatchObject({ status: 'Running', attempts: 3, startedAt: T1, completedAt: null });
    expect(saga.updatedAt).toBe(T3);
  });

  it('completes when every step succeeded', () => {
    let saga = started();
    for (const step of ['ReserveInventory', 'ProcessPayment', 'FulfillOrder'] as const) saga = recordStepSucceeded(saga, step, T1);
    saga = finishSaga(saga, T2);
    expect(saga.status).toBe('Completed');
    expect(saga.steps.every((step) => step.status === 'Succeeded' && step.completedAt === T1 && step.attempts === 1)).toBe(true);
    expect(orderStatusFor(saga)).toEqual({ status: 'Completed', statusReason: null });
  });

  it('moves to Compensating on a failed step and owes its compensations in order', () => {
    let saga = recordStepSucceeded(started(), 'ReserveInventory', T1);
    saga = recordStepFailed(saga, 'ProcessPayment', 'Card declined', T2);
    expect(saga.status).toBe('Compensating');
    expect(saga.steps[1]).toMatchObject({ status: 'Failed', error: 'Card declined', completedAt: T2 });
    expect(saga.compensation).toEqual({ reason: 'Card declined', failedStep: 'ProcessPayment', startedAt: T2, completedAt: null, steps: [] });
    expect(pendingCompensations(saga)).toEqual(['RefundPayment', 'ReleaseInventory']);
    expect(orderStatusFor(saga)).toEqual({ status: 'Processing', statusReason: 'Card declined' });
  });

  it('keeps the first failure as the reason', () => {
    let saga = recordStepFailed(started(), 'ReserveInventory', 'first', T1);
    saga = recordStepFailed(saga, 'ReserveInventory', 'second', T2);
    expect(saga.compensation?.reason).toBe('first');
  });

  it('ends Compensated (order Cancelled) when every compensation succeeded', () => {
    let saga = recordStepFailed(started(), 'ProcessPayment', 'Card declined', T1);
    saga = recordCompensation(saga, { name: 'RefundPayment', status: 'NothingToCompensate', attempts: 1, error: null }, T2);
    expect(pendingCompensations(saga)).toEqual(['ReleaseInventory']);
    saga = recordCompensation(saga, { name: 'ReleaseInventory', status: 'Compensated', attempts: 1, error: null }, T2);
    expect(pendingCompensations(saga)).toEqual([]);
    saga = finishSaga(saga, T3);
    expect(saga.status).toBe('Compensated');
    expect(saga.compensation?.completedAt).toBe(T3);
    expect(saga.compensation?.steps.map((step) => [step.name, step.completedAt])).toEqual([
      ['RefundPayment', T2],
      ['ReleaseInventory', T2],
    ]);
    expect(orderStatusFor(saga)).toEqual({ status: 'Cancelled', statusReason: 'Card declined' });
  });

  it('records a compensation once, the latest outcome winning', () => {
    let saga = recordStepFailed(started(), 'ReserveInventory', 'Out of stock', T1);
    saga = recordCompensation(saga, { name: 'ReleaseInventory', status: 'Failed', attempts: 1, error: 'x' }, T2);
    saga = recordCompensation(saga, { name: 'ReleaseInventory', status: 'Compensated', attempts: 2, error: null }, T3);
    expect(saga.compensation?.steps).toEqual([{ name: 'ReleaseInventory', status: 'Compensated', attempts: 2, error: null, completedAt: T3 }]);
  });

  it('ends CompensationFailed (order Failed) when a compensation failed for good, naming it', () => {
    let saga = recordStepFailed(started(), 'FulfillOrder', 'Simulated fulfilment failure', T1);
    saga = recordCompensation(saga, { name: 'CancelFulfillment', status: 'NothingToCompensate', attempts: 1, error: null }, T2);
    saga = recordCompensation(saga, { name: 'RefundPayment', status: 'Failed', attempts: 5, error: 'refund down' }, T2);
    saga = recordCompensation(saga, { name: 'ReleaseInventory', status: 'Compensated', attempts: 1, error: null }, T2);
    saga = finishSaga(saga, T3);
    expect(saga.status).toBe('CompensationFailed');
    expect(orderStatusFor(saga)).toEqual({
      status: 'Failed',
      statusReason: 'Simulated fulfilment failure; compensation failed for RefundPayment: needs an operator',
    });
  });

  it('refuses to record a compensation on a saga that is not compensating', () => {
    expect(() => recordCompensation(started(), { name: 'ReleaseInventory', status: 'Compensated', attempts: 1, error: null }, T1)).toThrow(
      /not compensating/,
    );
  });
});
