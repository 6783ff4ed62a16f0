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
  type RetryPolicy,
  type SagaOrder,
  type SagaStatus,
  type SagaStepDefinition,
} from '../domain';
import { callActivity } from './call-activity';
import { withRetries } from './retries';
import type { ActivityOutput, SagaPayment } from './saga-activities';
import { SAGA_FINAL_RECORD_RETRY, SAGA_RECORD_RETRY } from './saga-record-retry';
import { carriedTrace, type TraceCarrier } from '../telemetry/message-trace';

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
 * A save that fails after its retries never strands the order: before a forward step it counts as that step
 * failing (the step is not run, since nobody could follow it) and the saga compensates; while compensating,
 * the compensations run anyway and the next save writes the newer snapshot. The final save waits out a long
 * outage; only if that fails too does the instance fail, saying where the saga ended.
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
  const log = (message: string): void => {
    if (!df.isReplaying) context.log(`[orderId=${order.orderId} correlationId=${order.correlationId}] ${message}`);
  };
  const journal = new SagaJournal(df, started, log, carriedTrace(order));

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
  const finishedAt = df.currentUtcDateTime.getTime();
  const saved = yield* journal.flush(SAGA_FINAL_RECORD_RETRY);
  if (!saved.ok) {
    const waitedMinutes = Math.round((df.currentUtcDateTime.getTime() - finishedAt) / 60_000);
    const { status, statusReason } = orderStatusFor(journal.saga);
    throw new Error(
      `Could not save the saga record of order ${order.orderId} after ${saved.attempts} attempts over ${waitedMinutes} min: ` +
        `${saved.error}. The saga ended ${journal.saga.status} (order ${status}${statusReason ? `: ${statusReason}` : ''}), ` +
        'but the stored saga record and order still show an earlier state',
    );
  }
  log(`Saga finished: ${journal.saga.status}`);
  return journal.saga.status;
}

/**
 * Runs one forward step with its retry policy; returns null on success, otherwise why it failed. An attempt
 * whose record cannot be saved is not made: the step fails with that reason.
 */
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
      const saved = yield* journal.flush();
      if (!saved.ok) return `the saga record of order ${order.orderId} could not be saved before attempt ${attempt} (${saved.error})`;
    },
  );
  if (!outcome.ok && outcome.stoppedBy !== undefined) {
    const earlier = outcome.attempts > 0 ? `; attempt ${outcome.attempts} had failed: ${outcome.error}` : '';
    return `${step.name} was not run: ${outcome.stoppedBy}${earlier}`;
  }
  if (!outcome.ok) return `${step.name} failed after ${outcome.attempts} attempts: ${outcome.error}`;
  journal.payment = paymentAfterForwardStep(step.name, outcome.value, journal.payment);
  return outcome.value.ok ? null : outcome.value.reason;
}

/**
 * Runs every compensation the failed step calls for; one that fails for good does not stop the others, and
 * neither does a save of the record that fails (the record stays unsaved and the next save catches up).
 */
function* compensate(
  df: DurableOrchestrationContext,
  journal: SagaJournal,
  order: SagaOrder,
  failedStep: ForwardStepName,
): Generator<Task, void, unknown> {
  for (const name of compensationPlan(failedStep)) {
    journal.showProgress(name);
    const outcome = yield* withRetries(
      df,
      COMPENSATION_RETRY,
      () => callActivity(df, name, order),
      function* () {
        yield* journal.flush();
      },
    );
    const entry: Omit<CompensationStep, 'completedAt'> = outcome.ok
      ? { name, status: outcome.value, attempts: outcome.attempts, error: null }
      : { name, status: 'Failed', attempts: outcome.attempts, error: outcome.error };
    if (name === 'RefundPayment') journal.payment = paymentAfterRefund(entry.status, journal.payment);
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
 * The payment the order should show after RefundPayment. A payment step that gave up on a fault leaves no
 * payment known: the refund then tells whether a charge had gone through (Refunded) or not (Declined, as the
 * payment record and the choreography say).
 */
function paymentAfterRefund(refund: CompensationStep['status'], current: SagaPayment | null): SagaPayment | null {
  if (refund === 'Compensated' && current?.status !== 'Declined') return { status: 'Refunded', transactionId: current?.transactionId ?? null };
  if (refund === 'NothingToCompensate' && current === null) return { status: 'Declined', transactionId: null };
  return current;
}

type SaveOutcome = { ok: true } | { ok: false; error: string; attempts: number };

/**
 * The saga record as the orchestrator holds it. Every change shows at once in the custom status; it is
 * saved before the next activity with a side effect runs (and at the end), so the stored record is not
 * behind what the saga has done while the database answers, and back-to-back transitions (a step
 * succeeding, the next one starting) cost one write instead of two. A save that fails leaves the record
 * unsaved; the caller decides what that means, and the next flush writes the newer snapshot, which includes
 * everything since the last save.
 */
class SagaJournal {
  payment: SagaPayment | null = null;
  #unsaved = false;
  #savedOrderView: string | null = null;

  constructor(
    private readonly df: DurableOrchestrationContext,
    public saga: OrderSaga,
    private readonly log: (message: string) => void,
    private readonly trace: TraceCarrier = {},
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

  /** Saves the record if it changed since the last successful save, retrying with `policy`. */
  *flush(policy: RetryPolicy = SAGA_RECORD_RETRY): Generator<Task, SaveOutcome, unknown> {
    if (!this.#unsaved) return { ok: true };
    const orderView = JSON.stringify({ ...orderStatusFor(this.saga), payment: this.payment });
    const input = { saga: this.saga, payment: this.payment, orderChanged: orderView !== this.#savedOrderView, ...this.trace };
    const saved = yield* withRetries(this.df, policy, () => callActivity(this.df, 'SaveSagaState', input));
    if (!saved.ok) {
      this.log(`Could not save the saga record (${this.saga.status}) after ${saved.attempts} attempts: ${saved.error}`);
      return { ok: false, error: saved.error, attempts: saved.attempts };
    }
    this.#unsaved = false;
    this.#savedOrderView = orderView;
    return { ok: true };
  }
}

function sagaOrderInput(df: DurableOrchestrationContext): SagaOrder {
  const input = df.getInput<SagaOrder | null | undefined>();
  if (!input || typeof input.orderId !== 'string' || !Array.isArray(input.items)) {
    throw new Error(`${ORDER_SAGA_ORCHESTRATOR} needs a SagaOrder as its input`);
  }
  return input;
}
