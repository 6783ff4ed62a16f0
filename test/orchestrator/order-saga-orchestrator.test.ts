import { describe, expect, it } from 'vitest';
import { COMPENSATION_RETRY, STEP_RETRY, retryDelayMs, type ForwardStepName } from '../../src/domain';
import { ORDER, Transient, allCalls, runSaga, sagaCalls } from './support/saga-fixtures';

describe('orderSagaOrchestrator (replayed by durable-functions)', () => {
  it('runs the three forward steps in order and saves the record before each of them and at the end', async () => {
    const run = await runSaga();

    expect(run.runtimeStatus).toBe('Completed');
    expect(run.output).toBe('Completed');
    expect(allCalls(run.scheduled)).toEqual([
      'SaveSagaState', // started, ReserveInventory attempt 1
      'ReserveInventory',
      'SaveSagaState', // ReserveInventory succeeded, ProcessPayment attempt 1
      'ProcessPayment',
      'SaveSagaState', // ProcessPayment succeeded, FulfillOrder attempt 1
      'FulfillOrder',
      'SaveSagaState', // FulfillOrder succeeded, finished
    ]);
    for (const entry of run.scheduled) {
      if (entry.kind === 'activity' && entry.name !== 'SaveSagaState') expect(entry.input).toEqual(ORDER);
    }
    expect(run.saves.map((save) => save.saga.status)).toEqual(['Running', 'Running', 'Running', 'Completed']);
    expect(run.saves.map((save) => save.saga.steps.map((step) => step.status))).toEqual([
      ['Running', 'Pending', 'Pending'],
      ['Succeeded', 'Running', 'Pending'],
      ['Succeeded', 'Succeeded', 'Running'],
      ['Succeeded', 'Succeeded', 'Succeeded'],
    ]);
    expect(run.finalSaga).toMatchObject({ orderId: 'order-1', sagaStyle: 'orchestration', instanceId: 'order-1', compensation: null });
    expect(run.finalSaga.steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['ReserveInventory', 'Succeeded', 1],
      ['ProcessPayment', 'Succeeded', 1],
      ['FulfillOrder', 'Succeeded', 1],
    ]);
    expect(run.saves.at(-1)?.payment).toEqual({ status: 'Captured', transactionId: 'txn-1' });
    expect(run.customStatuses.at(-1)).toEqual({ step: null, sagaStatus: 'Completed' });
  });

  it('asks for the order to be rewritten only when what it shows changes', async () => {
    const run = await runSaga();
    // Processing at the start; then unchanged; the payment captured; Completed at the end.
    expect(run.saves.map((save) => save.orderChanged)).toEqual([true, false, true, true]);
  });

  it('records each attempt before the step runs', async () => {
    const run = await runSaga();
    const reserveAttempt = run.saves[0]?.saga.steps[0];
    expect(reserveAttempt).toMatchObject({ name: 'ReserveInventory', status: 'Running', attempts: 1, completedAt: null });
    expect(reserveAttempt?.startedAt).not.toBeNull();
  });

  it.each<[ForwardStepName, string[]]>([
    ['ReserveInventory', ['ReleaseInventory']],
    ['ProcessPayment', ['RefundPayment', 'ReleaseInventory']],
    ['FulfillOrder', ['CancelFulfillment', 'RefundPayment', 'ReleaseInventory']],
  ])('a business failure at %s runs %j, without retrying the step', async (failingStep, compensations) => {
    const run = await runSaga({ [failingStep]: () => ({ ok: false, reason: `${failingStep} said no` }) });

    const forward = ['ReserveInventory', 'ProcessPayment', 'FulfillOrder'];
    const reached = forward.slice(0, forward.indexOf(failingStep) + 1);
    expect(sagaCalls(run.scheduled)).toEqual([...reached, ...compensations]);
    expect(run.output).toBe('Compensated');
    expect(run.finalSaga.status).toBe('Compensated');
    expect(run.finalSaga.compensation).toMatchObject({ reason: `${failingStep} said no`, failedStep: failingStep });
    expect(run.finalSaga.compensation?.completedAt).not.toBeNull();
    expect(run.finalSaga.compensation?.steps.map((step) => [step.name, step.status, step.attempts, step.error])).toEqual(
      compensations.map((name) => [name, 'Compensated', 1, null]),
    );
    const failed = run.finalSaga.steps.find((step) => step.name === failingStep);
    expect(failed).toMatchObject({ status: 'Failed', attempts: 1, error: `${failingStep} said no` });
    expect(run.customStatuses.at(-1)).toEqual({ step: null, sagaStatus: 'Compensated' });
  });

  it('saves the failure before the first compensation and each compensation before the next', async () => {
    const run = await runSaga({ ProcessPayment: () => ({ ok: false, reason: 'Card declined by the issuer' }) });

    expect(allCalls(run.scheduled)).toEqual([
      'SaveSagaState',
      'ReserveInventory',
      'SaveSagaState',
      'ProcessPayment',
      'SaveSagaState', // ProcessPayment failed → Compensating
      'RefundPayment',
      'SaveSagaState', // RefundPayment recorded
      'ReleaseInventory',
      'SaveSagaState', // ReleaseInventory recorded, finished
    ]);
    expect(run.saves[2]?.saga.status).toBe('Compensating');
    expect(run.saves[2]?.saga.compensation?.steps).toEqual([]);
    expect(run.saves[2]?.payment).toEqual({ status: 'Declined', transactionId: null });
    expect(run.saves[3]?.saga.compensation?.steps.map((step) => step.name)).toEqual(['RefundPayment']);
    expect(run.saves[4]?.saga.status).toBe('Compensated');
    expect(run.saves.at(-1)?.payment).toEqual({ status: 'Declined', transactionId: null });
  });

  it('shows the step and saga status in the custom status as the saga moves', async () => {
    const run = await runSaga({ ProcessPayment: () => ({ ok: false, reason: 'declined' }) });
    const distinct = run.customStatuses.map((status) => JSON.stringify(status)).filter((status, index, all) => status !== all[index - 1]);
    // One status per episode: the latest transition of each is what a client polling the instance sees.
    expect(distinct.map((status) => JSON.parse(status) as unknown)).toEqual([
      { step: 'ReserveInventory', sagaStatus: 'Running' },
      { step: 'ProcessPayment', sagaStatus: 'Running' },
      { step: 'RefundPayment', sagaStatus: 'Compensating' },
      { step: 'ReleaseInventory', sagaStatus: 'Compensating' },
      { step: null, sagaStatus: 'Compensated' },
    ]);
  });

  it('marks the payment refunded when a later step fails', async () => {
    const run = await runSaga({ FulfillOrder: () => ({ ok: false, reason: 'Country AQ is not supported' }) });
    expect(run.saves.at(-1)?.payment).toEqual({ status: 'Refunded', transactionId: 'txn-1' });
  });

  it('records NothingToCompensate as the compensation reported it', async () => {
    const run = await runSaga({
      ProcessPayment: () => ({ ok: false, reason: 'declined' }),
      RefundPayment: () => 'NothingToCompensate',
    });
    expect(run.finalSaga.compensation?.steps.map((step) => step.status)).toEqual(['NothingToCompensate', 'Compensated']);
    expect(run.finalSaga.status).toBe('Compensated');
  });

  it('retries a transient fault after a durable timer and carries on when the retry succeeds', async () => {
    const run = await runSaga({
      ProcessPayment: (_order, call) => {
        if (call === 1) throw new Transient('Cosmos DB is throttling (429)');
        return { ok: true, value: { transactionId: 'txn-2' } };
      },
    });

    expect(sagaCalls(run.scheduled)).toEqual(['ReserveInventory', 'ProcessPayment', 'timer', 'ProcessPayment', 'FulfillOrder']);
    const timer = run.scheduled.find((entry) => entry.kind === 'timer');
    expect(timer && Date.parse(timer.fireAt) - Date.parse(timer.at)).toBe(retryDelayMs(STEP_RETRY, 2));
    expect(allCalls(run.scheduled).slice(2, 7)).toEqual(['SaveSagaState', 'ProcessPayment', 'timer', 'SaveSagaState', 'ProcessPayment']);
    expect(run.saves[2]?.saga.steps[1]).toMatchObject({ name: 'ProcessPayment', status: 'Running', attempts: 2 });
    expect(run.finalSaga.steps[1]).toMatchObject({ name: 'ProcessPayment', status: 'Succeeded', attempts: 2, error: null });
    expect(run.output).toBe('Completed');
  });

  it('fails the step with the error text once every attempt threw, then compensates', async () => {
    const run = await runSaga({
      FulfillOrder: () => {
        throw new Transient('Cosmos DB unavailable');
      },
    });

    expect(sagaCalls(run.scheduled)).toEqual([
      'ReserveInventory',
      'ProcessPayment',
      'FulfillOrder',
      'timer',
      'FulfillOrder',
      'timer',
      'FulfillOrder',
      'CancelFulfillment',
      'RefundPayment',
      'ReleaseInventory',
    ]);
    const delays = run.scheduled.flatMap((entry) => (entry.kind === 'timer' ? [Date.parse(entry.fireAt) - Date.parse(entry.at)] : []));
    expect(delays).toEqual([retryDelayMs(STEP_RETRY, 2), retryDelayMs(STEP_RETRY, 3)]);
    const fulfil = run.finalSaga.steps[2];
    expect(fulfil).toMatchObject({ name: 'FulfillOrder', status: 'Failed', attempts: 3 });
    expect(fulfil?.error).toContain('Cosmos DB unavailable');
    expect(fulfil?.error).toContain('after 3 attempts');
    expect(fulfil?.error).not.toMatch(/\n|\s+at\s/);
    expect(run.output).toBe('Compensated');
  });

  it('ends CompensationFailed when a compensation fails on every attempt, and still runs the others', async () => {
    const run = await runSaga({
      FulfillOrder: () => ({ ok: false, reason: 'Simulated fulfillment failure' }),
      RefundPayment: () => {
        throw new Transient('Simulated refund failure');
      },
    });

    const refunds = Array(COMPENSATION_RETRY.maxNumberOfAttempts).fill('RefundPayment');
    const withTimers = refunds.flatMap((name, index) => (index === 0 ? [name] : ['timer', name]));
    expect(sagaCalls(run.scheduled)).toEqual([
      'ReserveInventory',
      'ProcessPayment',
      'FulfillOrder',
      'CancelFulfillment',
      ...withTimers,
      'ReleaseInventory',
    ]);
    const delays = run.scheduled.flatMap((entry) => (entry.kind === 'timer' ? [Date.parse(entry.fireAt) - Date.parse(entry.at)] : []));
    expect(delays).toEqual([2, 3, 4, 5].map((attempt) => retryDelayMs(COMPENSATION_RETRY, attempt)));

    expect(run.output).toBe('CompensationFailed');
    expect(run.finalSaga.status).toBe('CompensationFailed');
    const steps = run.finalSaga.compensation?.steps ?? [];
    expect(steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['CancelFulfillment', 'Compensated', 1],
      ['RefundPayment', 'Failed', COMPENSATION_RETRY.maxNumberOfAttempts],
      ['ReleaseInventory', 'Compensated', 1],
    ]);
    expect(steps[1]?.error).toContain('Simulated refund failure');
    expect(steps.every((step) => step.completedAt !== null)).toBe(true);
    expect(run.saves.at(-1)?.payment).toEqual({ status: 'Captured', transactionId: 'txn-1' });
    expect(run.customStatuses.at(-1)).toEqual({ step: null, sagaStatus: 'CompensationFailed' });
  });

  it('retries saving the saga record like any transient fault', async () => {
    let saveCalls = 0;
    const run = await runSaga({
      SaveSagaState: () => {
        saveCalls += 1;
        if (saveCalls === 1) throw new Transient('Cosmos DB is throttling (429)');
        return null;
      },
    });
    expect(allCalls(run.scheduled).slice(0, 4)).toEqual(['SaveSagaState', 'timer', 'SaveSagaState', 'ReserveInventory']);
    expect(run.output).toBe('Completed');
  });

  it('fails the instance when the saga record cannot be saved at all', async () => {
    const run = await runSaga({
      SaveSagaState: () => {
        throw new Transient('Cosmos DB unavailable');
      },
    });
    expect(run.runtimeStatus).toBe('Failed');
    expect(run.error).toContain('Could not save the saga record of order order-1');
    expect(sagaCalls(run.scheduled)).not.toContain('ReserveInventory');
  });

  it('fails fast on an input that is not a SagaOrder', async () => {
    const run = await runSaga({}, { nope: true });
    expect(run.runtimeStatus).toBe('Failed');
    expect(run.error).toContain('needs a SagaOrder');
    expect(run.scheduled).toEqual([]);
  });
});
