import { retryDelayMs, type OrderSaga, type RetryPolicy, type SagaOrder } from '../../../src/domain';
import { ORDER_SAGA_ORCHESTRATOR, orderSagaOrchestrator } from '../../../src/orchestration/order-saga-orchestrator';
import { readStepInput, type SaveSagaStateInput, type StepInput } from '../../../src/orchestration/saga-activities';
import { replayOrchestration, type FakeActivities, type ReplayResult, type Scheduled } from './replay-driver';

export const ORDER: SagaOrder = {
  orderId: 'order-1',
  correlationId: 'corr-1',
  items: [{ productId: 'dog-food-5kg', quantity: 2 }],
  totalAmount: 49.98,
  currency: 'USD',
  paymentReference: 'pmr-1',
  shippingCountry: 'US',
  simulateFailure: null,
};

const STEP_ACTIVITIES = ['ReserveInventory', 'ProcessPayment', 'FulfillOrder', 'ReleaseInventory', 'RefundPayment', 'CancelFulfillment'] as const;

const FORWARD_STEPS = new Set<string>(['ReserveInventory', 'ProcessPayment', 'FulfillOrder']);

type StepFake = (input: StepInput, call: number) => unknown;

/**
 * Every step and compensation fake sees the bare order, whichever version called it; a saga record handed to
 * the step (version 3) is saved first, as the activity does: kept in `saves`, or failed by `saveFault`. A
 * forward step whose save fails does not act; a compensation acts anyway.
 */
export function savingInSteps(activities: FakeActivities, saves: SaveSagaStateInput[], saveFault?: SaveFault): FakeActivities {
  const wrapped: Record<string, StepFake> = {};
  let saveCalls = 0;
  for (const name of STEP_ACTIVITIES) {
    const fake = activities[name] as StepFake | undefined;
    if (!fake) continue;
    wrapped[name] = (input, call) => {
      const { order, sagaRecord } = readStepInput(input);
      if (sagaRecord) {
        saveCalls += 1;
        const fault = saveFault?.(sagaRecord, saveCalls) ?? null;
        if (fault === null) saves.push(sagaRecord);
        else if (FORWARD_STEPS.has(name)) throw new Transient(fault);
      }
      return fake(order, call);
    };
  }
  return { ...activities, ...(wrapped as FakeActivities) };
}

/** Every activity succeeding; tests override the ones they are about. */
export function happyActivities(saves: SaveSagaStateInput[]): FakeActivities {
  return {
    ReserveInventory: (input) => ({ ok: true, value: { items: readStepInput(input).order.items } }),
    ProcessPayment: () => ({ ok: true, value: { transactionId: 'txn-1' } }),
    FulfillOrder: () => ({ ok: true, value: { trackingNumber: 'TRK-1' } }),
    ReleaseInventory: () => 'Compensated',
    RefundPayment: () => 'Compensated',
    CancelFulfillment: () => 'Compensated',
    SaveSagaState: (input) => {
      saves.push(input);
      return null;
    },
  };
}

export interface SagaRun extends ReplayResult {
  saves: SaveSagaStateInput[];
  finalSaga: OrderSaga;
}

/** Decides whether a SaveSagaState call fails, with the fault's message, or succeeds (null). */
export type SaveFault = (input: SaveSagaStateInput, call: number) => string | null;

/**
 * Replays the saga with the given fakes. With `saveFault`, the saves it picks throw a transient fault and
 * only the others are kept in `saves` (so `finalSaga` is the last record actually saved).
 */
export async function runSaga(overrides: FakeActivities = {}, input: unknown = ORDER, saveFault?: SaveFault): Promise<SagaRun> {
  const saves: SaveSagaStateInput[] = [];
  const activities = savingInSteps({ ...happyActivities(saves), ...overrides }, saves, saveFault);
  if (saveFault) {
    const save = activities.SaveSagaState;
    activities.SaveSagaState = (saveInput, call) => {
      const fault = saveFault(saveInput, call);
      if (fault !== null) throw new Transient(fault);
      if (!save) throw new Error('No fake for SaveSagaState');
      return save(saveInput, call);
    };
  }
  const result = await replayOrchestration({
    name: ORDER_SAGA_ORCHESTRATOR,
    orchestrator: orderSagaOrchestrator,
    instanceId: 'order-1',
    input,
    activities,
  });
  const last = saves.at(-1);
  return { ...result, saves, finalSaga: last?.saga as OrderSaga };
}

/** The activity calls and timers in order, with SaveSagaState left out. */
export function sagaCalls(scheduled: readonly Scheduled[]): string[] {
  return scheduled
    .filter((entry) => entry.kind === 'timer' || entry.name !== 'SaveSagaState')
    .map((entry) => (entry.kind === 'timer' ? 'timer' : entry.name));
}

/** The delays of the durable timers, in order. */
export function timerDelays(scheduled: readonly Scheduled[]): number[] {
  return scheduled.flatMap((entry) => (entry.kind === 'timer' ? [Date.parse(entry.fireAt) - Date.parse(entry.at)] : []));
}

/** A SaveSagaState call made `attempts` times, with a retry timer before each call after the first. */
export function saveAttempts(attempts: number): string[] {
  return Array.from({ length: attempts }, (_, index) => (index === 0 ? ['SaveSagaState'] : ['timer', 'SaveSagaState'])).flat();
}

/** Every delay a policy waits between `attempts` attempts. */
export function policyDelays(policy: RetryPolicy, attempts = policy.maxNumberOfAttempts): number[] {
  return Array.from({ length: attempts - 1 }, (_, index) => retryDelayMs(policy, index + 2));
}

/** Everything scheduled, SaveSagaState included. */
export function allCalls(scheduled: readonly Scheduled[]): string[] {
  return scheduled.map((entry) => (entry.kind === 'timer' ? 'timer' : entry.name));
}

export class Transient extends Error {
  override readonly name = 'TransientFault';
}
