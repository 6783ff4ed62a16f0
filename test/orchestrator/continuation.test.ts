import { describe, expect, it } from 'vitest';
import {
  finishSaga,
  recordCompensation,
  recordStepAttempt,
  recordStepFailed,
  recordStepSucceeded,
  startSaga,
  type OrderSaga,
} from '../../src/domain';
import { orderSagaInput, type SagaContinuation } from '../../src/orchestration/orchestrator-version';
import { RETRY_POLICIES_V1 } from '../../src/orchestration/retry-policies';
import { ORDER, Transient, allCalls, runSaga, sagaCalls } from './support/saga-fixtures';

/*
 * A restarted instance (after it ended Failed or Terminated, or when an operator resumes its saga) gets the
 * stored saga record in its input and continues it: nothing done is undone or redone, and the record keeps
 * its history (createdAt, attempts, completed steps and compensations).
 */
const T0 = '2024-12-31T23:00:00.000Z';
const T1 = '2024-12-31T23:00:01.000Z';
const T2 = '2024-12-31T23:00:02.000Z';

const fresh = (): OrderSaga => startSaga({ orderId: 'order-1', sagaStyle: 'orchestration', instanceId: 'order-1', now: T0 });

function continuing(saga: OrderSaga, payment: SagaContinuation['payment'] = null) {
  return orderSagaInput(ORDER, { saga, payment });
}

describe('orderSagaOrchestrator continuing a saga record', () => {
  it('terminated while paying: learns the reservation again without recording it, and counts payment attempts on', async () => {
    let saga = recordStepAttempt(fresh(), 'ReserveInventory', 1, T0);
    saga = recordStepSucceeded(saga, 'ReserveInventory', T1);
    saga = recordStepAttempt(saga, 'ProcessPayment', 1, T1);
    const run = await runSaga({}, continuing(saga));

    expect(run.output).toBe('Completed');
    expect(allCalls(run.scheduled)).toEqual([
      'ReserveInventory', // idempotent: already reserved, answered ok; saves the record continued from
      'ProcessPayment', // saves ProcessPayment attempt 2 first
      'FulfillOrder',
      'SaveSagaState',
    ]);
    expect(run.saves.map((save) => save.saga.steps[1]?.attempts)).toEqual([1, 2, 2, 2]);
    expect(run.saves[0]?.orderChanged).toBe(true);
    expect(run.finalSaga.createdAt).toBe(T0);
    expect(run.finalSaga.steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['ReserveInventory', 'Succeeded', 1],
      ['ProcessPayment', 'Succeeded', 2],
      ['FulfillOrder', 'Succeeded', 1],
    ]);
    expect(run.finalSaga.steps[0]).toMatchObject({ startedAt: T0, completedAt: T1 });
    expect(run.saves.at(-1)?.payment).toEqual({ status: 'Captured', transactionId: 'txn-1' });
  });

  it('terminated while compensating: runs only the compensations still owed, no forward step', async () => {
    let saga = recordStepSucceeded(fresh(), 'ReserveInventory', T0);
    saga = recordStepSucceeded(saga, 'ProcessPayment', T0);
    saga = recordStepFailed(saga, 'FulfillOrder', 'Country AQ is not supported', T1);
    saga = recordCompensation(saga, { name: 'CancelFulfillment', status: 'NothingToCompensate', attempts: 1, error: null }, T2);
    const run = await runSaga({}, continuing(saga, { status: 'Captured', transactionId: 'txn-9' }));

    expect(run.output).toBe('Compensated');
    expect(sagaCalls(run.scheduled)).toEqual(['RefundPayment', 'ReleaseInventory']);
    expect(run.finalSaga.compensation?.steps.map((step) => [step.name, step.status, step.completedAt === T2])).toEqual([
      ['CancelFulfillment', 'NothingToCompensate', true],
      ['RefundPayment', 'Compensated', false],
      ['ReleaseInventory', 'Compensated', false],
    ]);
    expect(run.finalSaga.compensation?.startedAt).toBe(T1);
    expect(run.saves.at(-1)?.payment).toEqual({ status: 'Refunded', transactionId: 'txn-9' });
  });

  it('a reopened CompensationFailed saga runs the compensation that failed again and ends Compensated', async () => {
    let saga = recordStepSucceeded(fresh(), 'ReserveInventory', T0);
    saga = recordStepSucceeded(saga, 'ProcessPayment', T0);
    saga = recordStepFailed(saga, 'FulfillOrder', 'Simulated fulfillment failure', T1);
    saga = recordCompensation(saga, { name: 'CancelFulfillment', status: 'Compensated', attempts: 1, error: null }, T1);
    saga = recordCompensation(saga, { name: 'RefundPayment', status: 'Failed', attempts: 5, error: 'gateway down' }, T1);
    saga = recordCompensation(saga, { name: 'ReleaseInventory', status: 'Compensated', attempts: 1, error: null }, T1);
    const failed = finishSaga(saga, T2);
    expect(failed.status).toBe('CompensationFailed');
    // What the operator action stores before restarting: the saga compensating again.
    const reopened: OrderSaga = { ...failed, status: 'Compensating', compensation: failed.compensation && { ...failed.compensation, completedAt: null } };

    const run = await runSaga({}, continuing(reopened, { status: 'Captured', transactionId: 'txn-1' }));

    expect(run.output).toBe('Compensated');
    expect(sagaCalls(run.scheduled)).toEqual(['RefundPayment']);
    expect(run.finalSaga.status).toBe('Compensated');
    expect(run.finalSaga.compensation?.steps.map((step) => [step.name, step.status, step.attempts, step.error])).toEqual([
      ['CancelFulfillment', 'Compensated', 1, null],
      ['RefundPayment', 'Compensated', 6, null],
      ['ReleaseInventory', 'Compensated', 1, null],
    ]);
    expect(run.saves.at(-1)).toMatchObject({ orderChanged: true, payment: { status: 'Refunded', transactionId: 'txn-1' } });
  });

  it('a compensation that fails again keeps the saga CompensationFailed, with every attempt counted', async () => {
    let saga = recordStepFailed(fresh(), 'ReserveInventory', 'Simulated inventory failure', T1);
    saga = recordCompensation(saga, { name: 'ReleaseInventory', status: 'Failed', attempts: 5, error: 'Cosmos DB unavailable' }, T1);
    const run = await runSaga(
      {
        ReleaseInventory: () => {
          throw new Transient('Cosmos DB unavailable');
        },
      },
      continuing(saga),
    );
    expect(run.output).toBe('CompensationFailed');
    expect(sagaCalls(run.scheduled).filter((name) => name !== 'timer')).toHaveLength(RETRY_POLICIES_V1.compensation.maxNumberOfAttempts);
    expect(run.finalSaga.compensation?.steps).toMatchObject([{ name: 'ReleaseInventory', status: 'Failed', attempts: 10 }]);
  });

  it('a record that is already final is only saved again, so the order shows it', async () => {
    let saga = recordStepSucceeded(fresh(), 'ReserveInventory', T0);
    saga = recordStepSucceeded(saga, 'ProcessPayment', T0);
    saga = finishSaga(recordStepSucceeded(saga, 'FulfillOrder', T1), T1);
    const run = await runSaga({}, continuing(saga, { status: 'Captured', transactionId: 'txn-1' }));

    expect(run.output).toBe('Completed');
    expect(allCalls(run.scheduled)).toEqual(['SaveSagaState']);
    expect(run.saves).toEqual([{ saga, payment: { status: 'Captured', transactionId: 'txn-1' }, orderChanged: true }]);
  });

  it('refuses a saga record of another order', async () => {
    const run = await runSaga({}, continuing({ ...fresh(), orderId: 'order-2' }));
    expect(run.runtimeStatus).toBe('Failed');
    expect(run.error).toContain('saga record of another order');
  });
});
