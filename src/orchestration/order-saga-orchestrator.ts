import type { DurableOrchestrationContext, OrchestrationContext, Task } from 'durable-functions';
import {
  COMPENSATION_RETRY,
  ORDER_SAGA,
  compensationPlan,
  finishSaga,
  orderStatusFor,
  recordCompensation,
  recordStepAttempt,
  recordStepFailed,
  recordStepSucceeded,
  startSaga,
  type CompensationName,
  type CompensationStep,
  type ForwardStepName,
  type OrderSaga,
  type SagaOrder,
  type SagaStatus,
  type SagaStepDefinition,
} from '../domain';
import { callActivity } from './call-activity';
import { withRetries } from './retries';
import type { ActivityOutput, SagaPayment } from './saga-activities';
import { SAGA_RECORD_RETRY } from './saga-record-retry';

export const ORDER_SAGA_ORCHESTRATOR = 'orderSagaOrchestrator';

/** What `context.df.setCustomStatus` shows at each transition (null step: not inside a step). */
export interface SagaCustomStatus {
  step: ForwardStepName | CompensationName | null;
  sagaStatus: SagaStatus;
}

type ForwardStepOutput = ActivityOutput<ForwardStepName>;

/**
 * The order saga: ReserveInventory → ProcessPayment → FulfillOrder, and on a failure the compensations of
 * the failed step and of every earlier one, in reverse. The saga record is saved before every activity
 * that acts on the order and at the end.
 * Deterministic: time comes from `currentUtcDateTime`, and all I/O happens in activities.
 */
export function* orderSagaOrchestrator(context: OrchestrationContext): Generator<Task, SagaStatus, unknown> {
  const df = context.df;
  const order = sagaOrderInput(df);
  const started = startSaga({
    orderId: order.orderId,
    sagaStyle: 'orchestration',
    instanceId: df.instanceId,
    now: df.currentUtcDateTime.toISOString(),
  });
  const journal = new SagaJournal(df, started);
  const log = (message: string): void => {
    if (!df.isReplaying) context.log(`[orderId=${order.orderId} correlationId=${order.correlationId}] ${message}`);
  };

  log('Saga started');
  // Starting is a transition too: the record exists (and GET .../saga answers) before the first step runs.
  journal.record(null, (saga) => saga);

  for (const step of ORDER_SAGA) {
    const failure = yield* runForwardStep(df, journal, order, step);
    if (failure !== null) {
      log(`${step.name} failed: ${failure}; compensating`);
      journal.record(step.name, (saga, now) => recordStepFailed(saga, step.name, failure, now));
      yield* compensate(df, journal, order, step.name);
      break;
    }
    journal.record(step.name, (saga, now) => recordStepSucceeded(saga, step.name, now));
  }

  journal.record(null, (saga, now) => finishSaga(saga, now));
  yield* journal.flush();
  log(`Saga finished: ${journal.saga.status}`);
  return journal.saga.status;
}

/** Runs one forward step with its retry policy; returns null on success, otherwise why it failed. */
function* runForwardStep(
  df: DurableOrchestrationContext,
  journal: SagaJournal,
  order: SagaOrder,
  step: SagaStepDefinition,
): Generator<Task, string | null, unknown> {
  const outcome = yield* withRetries(
    df,
    step.retry,
    () => callActivity(df, step.name, order),
    function* (attempt) {
      journal.record(step.name, (saga, now) => recordStepAttempt(saga, step.name, attempt, now));
      yield* journal.flush();
    },
  );
  if (!outcome.ok) return `${step.name} failed after ${outcome.attempts} attempts: ${outcome.error}`;
  journal.payment = paymentAfterForwardStep(step.name, outcome.value, journal.payment);
  return outcome.value.ok ? null : outcome.value.reason;
}

/** Runs every compensation the failed step calls for; one that fails for good does not stop the others. */
function* compensate(
  df: DurableOrchestrationContext,
  journal: SagaJournal,
  order: SagaOrder,
  failedStep: ForwardStepName,
): Generator<Task, void, unknown> {
  for (const name of compensationPlan(failedStep)) {
    journal.showProgress(name);
    const outcome = yield* withRetries(df, COMPENSATION_RETRY, () => callActivity(df, name, order), () => journal.flush());
    const entry: Omit<CompensationStep, 'completedAt'> = outcome.ok
      ? { name, status: outcome.value, attempts: outcome.attempts, error: null }
      : { name, status: 'Failed', attempts: outcome.attempts, error: outcome.error };
    if (name === 'RefundPayment' && entry.status === 'Compensated' && journal.payment?.status !== 'Declined') {
      journal.payment = { status: 'Refunded', transactionId: journal.payment?.transactionId ?? null };
    }
    journal.record(name, (saga, now) => recordCompensation(saga, entry, now));
  }
}

/** The payment the order should show after a forward step: captured with its transaction, or declined. */
function paymentAfterForwardStep(
  name: ForwardStepName,
  result: ForwardStepOutput,
  current: SagaPayment | null,
): SagaPayment | null {
  if (name !== 'ProcessPayment') return current;
  if (!result.ok) return { status: 'Declined', transactionId: null };
  const transactionId = 'transactionId' in result.value ? result.value.transactionId : null;
  return { status: 'Captured', transactionId };
}

/**
 * The saga record as the orchestrator holds it. Every change shows at once in the custom status; it is
 * saved before the next activity with a side effect runs (and at the end), so the stored record is never
 * behind what the saga has done, and back-to-back transitions (a step succeeding, the next one starting)
 * cost one write instead of two.
 */
class SagaJournal {
  payment: SagaPayment | null = null;
  #unsaved = false;
  #savedOrderView: string | null = null;

  constructor(
    private readonly df: DurableOrchestrationContext,
    public saga: OrderSaga,
  ) {}

  showProgress(step: SagaCustomStatus['step']): void {
    const status: SagaCustomStatus = { step, sagaStatus: this.saga.status };
    this.df.setCustomStatus(status);
  }

  record(step: SagaCustomStatus['step'], change: (saga: OrderSaga, now: string) => OrderSaga): void {
    this.saga = change(this.saga, this.df.currentUtcDateTime.toISOString());
    this.showProgress(step);
    this.#unsaved = true;
  }

  *flush(): Generator<Task, void, unknown> {
    if (!this.#unsaved) return;
    const orderView = JSON.stringify({ ...orderStatusFor(this.saga), payment: this.payment });
    const input = { saga: this.saga, payment: this.payment, orderChanged: orderView !== this.#savedOrderView };
    const saved = yield* withRetries(this.df, SAGA_RECORD_RETRY, () => callActivity(this.df, 'SaveSagaState', input));
    // Without its record the saga cannot be followed or resumed by anyone: failing the instance is the honest outcome.
    if (!saved.ok) throw new Error(`Could not save the saga record of order ${this.saga.orderId}: ${saved.error}`);
    this.#unsaved = false;
    this.#savedOrderView = orderView;
  }
}

function sagaOrderInput(df: DurableOrchestrationContext): SagaOrder {
  const input = df.getInput<SagaOrder | null | undefined>();
  if (!input || typeof input.orderId !== 'string' || !Array.isArray(input.items)) {
    throw new Error(`${ORDER_SAGA_ORCHESTRATOR} needs a SagaOrder as its input`);
  }
  return input;
}
