import { describe, expect, it } from 'vitest';
import { COMPENSATION_RETRY, STEP_RETRY, retryDelayMs, type ForwardStepName } from '../../src/domain';
import type { SaveSagaStateInput } from '../../src/orchestration/saga-activities';
import { SAGA_FINAL_RECORD_RETRY, SAGA_RECORD_RETRY } from '../../src/orchestration/saga-record-retry';
import type { FakeActivities } from './support/replay-driver';
import {
  ORDER,
  Transient,
  allCalls,
  policyDelays,
  runSaga,
  sagaCalls,
  saveAttempts,
  timerDelays,
  type SaveFault,
} from './support/saga-fixtures';

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

  it('shows the payment declined when the payment step gave up on a fault, as the choreography does', async () => {
    const run = await runSaga({
      ProcessPayment: () => {
        throw new Transient('payment gateway unavailable');
      },
      RefundPayment: () => 'NothingToCompensate',
    });
    expect(run.finalSaga.status).toBe('Compensated');
    expect(run.saves.at(-1)?.payment).toEqual({ status: 'Declined', transactionId: null });
  });

  it('shows the payment refunded when a charge went through although the payment step reported a fault', async () => {
    const run = await runSaga({
      ProcessPayment: () => {
        throw new Transient('timed out after the charge');
      },
      RefundPayment: () => 'Compensated',
    });
    expect(run.saves.at(-1)?.payment).toEqual({ status: 'Refunded', transactionId: null });
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

  describe('when the saga record cannot be saved', () => {
    const FORWARD = ['SaveSagaState', 'ReserveInventory', 'SaveSagaState', 'ProcessPayment', 'SaveSagaState', 'FulfillOrder'];
    const RECORD_ATTEMPTS = SAGA_RECORD_RETRY.maxNumberOfAttempts;
    const FINAL_ATTEMPTS = SAGA_FINAL_RECORD_RETRY.maxNumberOfAttempts;
    const fulfilmentFails: FakeActivities = { FulfillOrder: () => ({ ok: false, reason: 'Country AQ is not supported' }) };
    const compensationFaults = (count: number): SaveFault => {
      let failed = 0;
      return (input) => {
        if (input.saga.status === 'Running' || failed >= count) return null;
        failed += 1;
        return 'Cosmos DB unavailable';
      };
    };

    it('still runs every compensation when a save fails while compensating, and the next save catches up', async () => {
      // About 7.5 s of outage: the save before CancelFulfillment fails on every attempt.
      const run = await runSaga(fulfilmentFails, ORDER, compensationFaults(RECORD_ATTEMPTS));

      expect(run.runtimeStatus).toBe('Completed');
      expect(run.output).toBe('Compensated');
      expect(allCalls(run.scheduled)).toEqual([
        ...FORWARD,
        ...saveAttempts(RECORD_ATTEMPTS), // FulfillOrder failed → Compensating: never saved
        'CancelFulfillment',
        'SaveSagaState', // CancelFulfillment recorded, with the failure before it
        'RefundPayment',
        'SaveSagaState',
        'ReleaseInventory',
        'SaveSagaState', // finished
      ]);
      expect(timerDelays(run.scheduled)).toEqual(policyDelays(SAGA_RECORD_RETRY));
      const caughtUp = run.saves[3];
      expect(caughtUp?.saga.status).toBe('Compensating');
      expect(caughtUp?.saga.steps[2]).toMatchObject({ name: 'FulfillOrder', status: 'Failed', error: 'Country AQ is not supported' });
      expect(caughtUp?.saga.compensation?.steps.map((step) => step.name)).toEqual(['CancelFulfillment']);
      expect(caughtUp?.orderChanged).toBe(true);
      expect(run.finalSaga.status).toBe('Compensated');
      expect(run.finalSaga.compensation?.steps.map((step) => [step.name, step.status])).toEqual([
        ['CancelFulfillment', 'Compensated'],
        ['RefundPayment', 'Compensated'],
        ['ReleaseInventory', 'Compensated'],
      ]);
      expect(run.saves.at(-1)?.payment).toEqual({ status: 'Refunded', transactionId: 'txn-1' });
    });

    it('runs the compensations in order through a longer outage and saves the final record once it clears', async () => {
      // Every save while compensating fails, and the first two attempts of the final save.
      const run = await runSaga(fulfilmentFails, ORDER, compensationFaults(3 * RECORD_ATTEMPTS + 2));

      expect(run.runtimeStatus).toBe('Completed');
      expect(run.output).toBe('Compensated');
      expect(allCalls(run.scheduled)).toEqual([
        ...FORWARD,
        ...saveAttempts(RECORD_ATTEMPTS),
        'CancelFulfillment',
        ...saveAttempts(RECORD_ATTEMPTS),
        'RefundPayment',
        ...saveAttempts(RECORD_ATTEMPTS),
        'ReleaseInventory',
        ...saveAttempts(3), // the final save, with the patient policy
      ]);
      expect(timerDelays(run.scheduled)).toEqual([
        ...policyDelays(SAGA_RECORD_RETRY),
        ...policyDelays(SAGA_RECORD_RETRY),
        ...policyDelays(SAGA_RECORD_RETRY),
        ...policyDelays(SAGA_FINAL_RECORD_RETRY, 3),
      ]);
      expect(run.saves.map((save) => save.saga.status)).toEqual(['Running', 'Running', 'Running', 'Compensated']);
      expect(run.finalSaga.compensation).toMatchObject({ reason: 'Country AQ is not supported', failedStep: 'FulfillOrder' });
      expect(run.finalSaga.compensation?.steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
        ['CancelFulfillment', 'Compensated', 1],
        ['RefundPayment', 'Compensated', 1],
        ['ReleaseInventory', 'Compensated', 1],
      ]);
      expect(run.saves.at(-1)).toMatchObject({ orderChanged: true, payment: { status: 'Refunded', transactionId: 'txn-1' } });
    });

    it('does not run a forward step whose record cannot be saved: the saga compensates with that reason', async () => {
      const run = await runSaga({ ReleaseInventory: () => 'NothingToCompensate' }, ORDER, (_input, call) =>
        call <= RECORD_ATTEMPTS ? 'Cosmos DB unavailable' : null,
      );

      expect(run.runtimeStatus).toBe('Completed');
      expect(run.output).toBe('Compensated');
      expect(allCalls(run.scheduled)).toEqual([...saveAttempts(RECORD_ATTEMPTS), 'SaveSagaState', 'ReleaseInventory', 'SaveSagaState']);
      expect(run.saves.map((save) => save.saga.status)).toEqual(['Compensating', 'Compensated']);
      const reason = run.finalSaga.compensation?.reason;
      expect(reason).toContain('ReserveInventory was not run');
      expect(reason).toContain('the saga record of order order-1 could not be saved');
      expect(reason).toContain('Cosmos DB unavailable');
      expect(run.finalSaga.compensation).toMatchObject({ failedStep: 'ReserveInventory' });
      expect(run.finalSaga.compensation?.steps.map((step) => [step.name, step.status])).toEqual([['ReleaseInventory', 'NothingToCompensate']]);
      expect(run.finalSaga.steps.map((step) => [step.name, step.status])).toEqual([
        ['ReserveInventory', 'Failed'],
        ['ProcessPayment', 'Pending'],
        ['FulfillOrder', 'Pending'],
      ]);
      expect(run.finalSaga.steps[0]?.error).toBe(reason);
      expect(run.saves.at(-1)).toMatchObject({ orderChanged: true, payment: null });
      expect(run.customStatuses.at(-1)).toEqual({ step: null, sagaStatus: 'Compensated' });
    });

    it('runs every compensation, then fails the instance after waiting patiently when no save ever succeeds', async () => {
      let lastAttempted: SaveSagaStateInput | undefined;
      const run = await runSaga(fulfilmentFails, ORDER, (input) => {
        lastAttempted = input;
        return input.saga.status === 'Running' ? null : 'Cosmos DB unavailable';
      });

      expect(run.runtimeStatus).toBe('Failed');
      expect(allCalls(run.scheduled)).toEqual([
        ...FORWARD,
        ...saveAttempts(RECORD_ATTEMPTS),
        'CancelFulfillment',
        ...saveAttempts(RECORD_ATTEMPTS),
        'RefundPayment',
        ...saveAttempts(RECORD_ATTEMPTS),
        'ReleaseInventory',
        ...saveAttempts(FINAL_ATTEMPTS),
      ]);
      const finalDelays = timerDelays(run.scheduled).slice(3 * (RECORD_ATTEMPTS - 1));
      expect(finalDelays).toEqual(policyDelays(SAGA_FINAL_RECORD_RETRY));
      const waited = finalDelays.reduce((sum, delay) => sum + delay, 0);
      expect(waited).toBeGreaterThanOrEqual(15 * 60_000);
      expect(waited).toBeLessThanOrEqual(30 * 60_000);

      expect(run.error).toContain(`Could not save the saga record of order order-1 after ${FINAL_ATTEMPTS} attempts`);
      expect(run.error).toContain('Cosmos DB unavailable');
      expect(run.error).toContain('The saga ended Compensated (order Cancelled: Country AQ is not supported)');
      expect(lastAttempted?.saga.status).toBe('Compensated');
      expect(lastAttempted?.saga.compensation?.steps.map((step) => step.name)).toEqual([
        'CancelFulfillment',
        'RefundPayment',
        'ReleaseInventory',
      ]);
      expect(run.saves.map((save) => save.saga.status)).toEqual(['Running', 'Running', 'Running']);
    });

    it('fails the instance, after releasing any inventory, when the database never comes back from the start', async () => {
      const run = await runSaga({ ReleaseInventory: () => 'NothingToCompensate' }, ORDER, () => 'Cosmos DB unavailable');

      expect(run.runtimeStatus).toBe('Failed');
      expect(sagaCalls(run.scheduled).filter((name) => name !== 'timer')).toEqual(['ReleaseInventory']);
      expect(allCalls(run.scheduled)).toEqual([
        ...saveAttempts(RECORD_ATTEMPTS),
        ...saveAttempts(RECORD_ATTEMPTS),
        'ReleaseInventory',
        ...saveAttempts(FINAL_ATTEMPTS),
      ]);
      expect(run.error).toContain('Could not save the saga record of order order-1');
      expect(run.error).toContain('The saga ended Compensated (order Cancelled: ReserveInventory was not run');
      expect(run.saves).toEqual([]);
    });
  });

  it('fails fast on an input that is not a SagaOrder', async () => {
    const run = await runSaga({}, { nope: true });
    expect(run.runtimeStatus).toBe('Failed');
    expect(run.error).toContain('needs a SagaOrder');
    expect(run.scheduled).toEqual([]);
  });
});
