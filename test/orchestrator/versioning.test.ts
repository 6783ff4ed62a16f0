import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { STEP_RETRY, type OrderSaga } from '../../src/domain';
import { ORDER_SAGA_ORCHESTRATOR, orderSagaOrchestrator } from '../../src/orchestration/order-saga-orchestrator';
import { ORCHESTRATOR_VERSION, orderSagaInput } from '../../src/orchestration/orchestrator-version';
import { RETRY_POLICIES_V1 } from '../../src/orchestration/retry-policies';
import type { SaveSagaStateInput } from '../../src/orchestration/saga-activities';
import type { HistoryEvent } from './support/history';
import { replayOrchestration, type FakeActivities } from './support/replay-driver';
import { ORDER, Transient, allCalls, happyActivities, runSaga, sagaCalls, savingInSteps, type SagaRun } from './support/saga-fixtures';

/** A history written by an earlier version of the orchestrator (v1: the code before versioning), mid-flight. */
function recorded(name: string): { input: unknown; history: HistoryEvent[] } {
  return JSON.parse(readFileSync(path.join(__dirname, 'recorded', name), 'utf8')) as { input: unknown; history: HistoryEvent[] };
}

async function continueRecorded(name: string, overrides: FakeActivities = {}, orchestrator: OrchestrationHandler = orderSagaOrchestrator) {
  const { input, history } = recorded(name);
  const saves: SaveSagaStateInput[] = [];
  const run = await replayOrchestration({
    name: ORDER_SAGA_ORCHESTRATOR,
    orchestrator,
    instanceId: 'order-1',
    input,
    activities: savingInSteps({ ...happyActivities(saves), ...overrides }, saves),
    recorded: history,
  });
  return { ...run, saves, finalSaga: saves.at(-1)?.saga as OrderSaga };
}

describe('orchestrator versions', () => {
  it('carries the version it was started with in its input', () => {
    expect(ORCHESTRATOR_VERSION).toBe(3);
    expect(orderSagaInput(ORDER)).toEqual({ version: 3, order: ORDER });
  });

  it('version 3 saves the record inside the step that follows each transition: four activities, five episodes', async () => {
    const run = await runSaga({}, orderSagaInput(ORDER));

    expect(run.output).toBe('Completed');
    expect(allCalls(run.scheduled)).toEqual(['ReserveInventory', 'ProcessPayment', 'FulfillOrder', 'SaveSagaState']);
    expect(run.episodes).toBe(5);
    expect(run.saves.map((save) => [save.saga.status, save.saga.steps.map((step) => step.status).join(',')])).toEqual([
      ['Running', 'Running,Pending,Pending'],
      ['Running', 'Succeeded,Running,Pending'],
      ['Running', 'Succeeded,Succeeded,Running'],
      ['Completed', 'Succeeded,Succeeded,Succeeded'],
    ]);
  });

  it.each([
    ['completes', {}],
    ['retries a payment that threw', { ProcessPayment: (_order: unknown, call: number) => {
      if (call === 1) throw new Transient('Cosmos DB is throttling (429)');
      return { ok: true, value: { transactionId: 'txn-1' } };
    } }],
    ['compensates a declined payment', { ProcessPayment: () => ({ ok: false, reason: 'Card declined' }) }],
    ['retries a refund after a failed fulfilment', {
      FulfillOrder: () => ({ ok: false, reason: 'Country AQ is not supported' }),
      RefundPayment: (_order: unknown, call: number) => {
        if (call === 1) throw new Transient('Cosmos DB unavailable');
        return 'Compensated';
      },
    }],
    ['gives up on a refund that never works', { FulfillOrder: () => ({ ok: false, reason: 'no' }), RefundPayment: () => {
      throw new Transient('refund service down');
    } }],
  ] as Array<[string, FakeActivities]>)('version 3 saves the records version 2 saved, in the same order, with fewer activities: %s', async (_name, faults) => {
    const v2 = await runSaga(faults, { version: 2, order: ORDER });
    const v3 = await runSaga(faults, orderSagaInput(ORDER));
    expect(v3.output).toBe(v2.output);
    expect(recordsSaved(v3)).toEqual(recordsSaved(v2));
    expect(sagaCalls(v3.scheduled)).toEqual(sagaCalls(v2.scheduled));
    expect(allCalls(v3.scheduled).filter((name) => name === 'SaveSagaState')).toEqual(['SaveSagaState']);
  });

  it('version 3: a step whose record cannot be saved does not act, and fails after its attempts like any fault', async () => {
    let charged = 0;
    const run = await runSaga(
      {
        ProcessPayment: () => {
          charged += 1;
          return { ok: true, value: { transactionId: 'txn-1' } };
        },
      },
      orderSagaInput(ORDER),
      (input) => (input.saga.steps[1]?.status === 'Running' ? 'Cosmos DB unavailable' : null),
    );

    expect(charged).toBe(0);
    expect(run.output).toBe('Compensated');
    expect(sagaCalls(run.scheduled)).toEqual(['ReserveInventory', 'ProcessPayment', 'timer', 'ProcessPayment', 'timer', 'ProcessPayment', 'RefundPayment', 'ReleaseInventory']);
    expect(run.finalSaga.steps[1]).toMatchObject({ status: 'Failed', attempts: 3, error: expect.stringMatching(/^ProcessPayment failed after 3 attempts: .*Cosmos DB unavailable$/) });
  });

  it('finishes a version 2 instance that was paying when version 3 was deployed, on the version 2 path', async () => {
    const run = await continueRecorded('v2-paying.json');

    expect(run.error).toBeNull();
    expect(run.output).toBe('Completed');
    expect(allCalls(run.scheduled)).toEqual(['ProcessPayment', 'SaveSagaState', 'FulfillOrder', 'SaveSagaState']);
    expect(run.finalSaga.steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['ReserveInventory', 'Succeeded', 1],
      ['ProcessPayment', 'Succeeded', 1],
      ['FulfillOrder', 'Succeeded', 1],
    ]);
  });

  it('finishes a version 2 instance waiting to retry a refund, on the version 2 path', async () => {
    const run = await continueRecorded('v2-refunding.json');

    expect(run.error).toBeNull();
    expect(run.output).toBe('Compensated');
    expect(allCalls(run.scheduled)).toEqual(['RefundPayment', 'SaveSagaState', 'ReleaseInventory', 'SaveSagaState']);
    expect(run.finalSaga.compensation?.steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['CancelFulfillment', 'Compensated', 1],
      ['RefundPayment', 'Compensated', 2],
      ['ReleaseInventory', 'Compensated', 1],
    ]);
  });

  it('finishes a recorded version 3 instance that was paying', async () => {
    const run = await continueRecorded('v3-paying.json');

    expect(run.error).toBeNull();
    expect(run.output).toBe('Completed');
    // The recorded ProcessPayment (which saves the record first) completes; then the rest of version 3's path.
    expect(allCalls(run.scheduled)).toEqual(['FulfillOrder', 'SaveSagaState']);
    expect(run.saves.map((save) => save.saga.steps.map((step) => step.status).join(','))).toEqual([
      'Succeeded,Running,Pending',
      'Succeeded,Succeeded,Running',
      'Succeeded,Succeeded,Succeeded',
    ]);
  });

  it('finishes a recorded version 3 instance waiting to retry a refund', async () => {
    const run = await continueRecorded('v3-refunding.json');

    expect(run.error).toBeNull();
    expect(run.output).toBe('Compensated');
    expect(allCalls(run.scheduled)).toEqual(['RefundPayment', 'ReleaseInventory', 'SaveSagaState']);
    expect(run.finalSaga.compensation?.steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['CancelFulfillment', 'Compensated', 1],
      ['RefundPayment', 'Compensated', 2],
      ['ReleaseInventory', 'Compensated', 1],
    ]);
  });

  it('finishes a version 1 instance that was paying when the new code was deployed', async () => {
    const run = await continueRecorded('v1-paying.json');

    expect(run.error).toBeNull();
    expect(run.runtimeStatus).toBe('Completed');
    expect(run.output).toBe('Completed');
    // The recorded SaveSagaState completes; then the rest of version 1's path, nothing else.
    expect(allCalls(run.scheduled)).toEqual(['ProcessPayment', 'SaveSagaState', 'FulfillOrder', 'SaveSagaState']);
    expect(run.finalSaga.steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['ReserveInventory', 'Succeeded', 1],
      ['ProcessPayment', 'Succeeded', 1],
      ['FulfillOrder', 'Succeeded', 1],
    ]);
  });

  it('finishes a version 1 instance waiting to retry a refund, with version 1 retry timing', async () => {
    const run = await continueRecorded('v1-refunding.json');

    expect(run.error).toBeNull();
    expect(run.output).toBe('Compensated');
    expect(allCalls(run.scheduled)).toEqual(['RefundPayment', 'SaveSagaState', 'ReleaseInventory', 'SaveSagaState']);
    expect(run.finalSaga.compensation?.steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['CancelFulfillment', 'Compensated', 1],
      ['RefundPayment', 'Compensated', 2],
      ['ReleaseInventory', 'Compensated', 1],
    ]);
    expect(run.saves.at(-1)?.payment).toEqual({ status: 'Refunded', transactionId: 'txn-1' });
  });

  it('a changed orchestrator replaying the recorded history fails as the extension fails it', async () => {
    // The kind of change the versioning rule is for: an activity inserted before the first recorded one.
    const changed: OrchestrationHandler = function* (context: OrchestrationContext) {
      yield context.df.callActivity('ReleaseInventory', ORDER);
      return yield* orderSagaOrchestrator(context);
    };
    const run = await continueRecorded('v1-paying.json', {}, changed);
    expect(run.runtimeStatus).toBe('Failed');
    expect(run.error).toMatch(/^Non-Deterministic workflow detected: TaskScheduledEvent SaveSagaState at position 0 was replayed as ReleaseInventory/);
  });

  it('schedules for a version 2 input exactly what version 1 did for the same order', async () => {
    const faults: FakeActivities = {
      ProcessPayment: (_order, call) => {
        if (call === 1) throw new Transient('Cosmos DB is throttling (429)');
        return { ok: true, value: { transactionId: 'txn-1' } };
      },
      FulfillOrder: () => ({ ok: false, reason: 'Country AQ is not supported' }),
    };
    const v1 = await runSaga(faults, ORDER);
    const v2 = await runSaga(faults, { version: 2, order: ORDER });
    expect(v2.scheduled).toEqual(v1.scheduled);
    expect(v2.saves).toEqual(v1.saves);
  });

  it('refuses an input of a version it does not know', async () => {
    const run = await runSaga({}, { version: 99, order: ORDER });
    expect(run.runtimeStatus).toBe('Failed');
    expect(run.error).toContain('cannot run version 99');
  });

  it('retries with its own policies: tuning the choreography policies changes nothing it replays', async () => {
    const original = { ...STEP_RETRY };
    Object.assign(STEP_RETRY, { maxNumberOfAttempts: 5, firstRetryIntervalInMilliseconds: 2_000 });
    try {
      const run = await runSaga({
        FulfillOrder: () => {
          throw new Transient('Cosmos DB unavailable');
        },
      });
      const attempts = sagaCalls(run.scheduled).filter((name) => name === 'FulfillOrder');
      expect(attempts).toHaveLength(RETRY_POLICIES_V1.step.maxNumberOfAttempts);
      expect(run.finalSaga.steps[2]).toMatchObject({ status: 'Failed', attempts: 3 });
    } finally {
      Object.assign(STEP_RETRY, original);
    }
  });
});

/** What each save wrote, without the times (the versions run a different number of episodes). */
function recordsSaved(run: SagaRun) {
  return run.saves.map(({ saga, payment, orderChanged }) => ({
    status: saga.status,
    steps: saga.steps.map(({ name, status, attempts, error }) => ({ name, status, attempts, error })),
    compensation: saga.compensation && {
      failedStep: saga.compensation.failedStep,
      reason: saga.compensation.reason,
      steps: saga.compensation.steps.map(({ name, status, attempts, error }) => ({ name, status, attempts, error })),
    },
    payment,
    orderChanged,
  }));
}
