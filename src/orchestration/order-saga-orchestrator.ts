import type { DurableOrchestrationContext, OrchestrationContext, Task } from 'durable-functions';
import {
  ORDER_SAGA,
  compensationPlan,
  finishSaga,
  isFinalSagaStatus,
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
import { readSagaInput, type ReadSagaInput } from './orchestrator-version';
import type { OrchestrationRetryPolicies } from './retry-policies';
import { withRetries } from './retries';
import type { ActivityOutput, SagaPayment, SaveSagaStateInput } from './saga-activities';
import { carriedTrace, type TraceCarrier } from '../telemetry/message-trace';

/**
 * One name for every version: the version travels in the instance's input, and the code below branches on
 * it where versions differ (the rule is in orchestrator-version.ts).
 */
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
 * that acts on the order and at the end: from version 3 on by that activity itself, before it acts (one
 * activity, one episode and one replay per step instead of two); in versions 1 and 2 by a SaveSagaState
 * activity of its own.
 * A save that fails after its retries never strands the order: before a forward step it counts as that step
 * failing (the step is not run, since nobody could follow it) and the saga compensates; while compensating,
 * the compensations run anyway and the next save writes the newer snapshot. The final save waits out a long
 * outage; only if that fails too does the instance fail, saying where the saga ended.
 * Deterministic: time comes from `currentUtcDateTime`, and all I/O happens in activities.
 * Versioned: instances in flight replay this code against their history, so a change that alters the actions
 * of an existing history is a new version, branched on the `version` in the instance's input, and the old
 * path stays while instances of it run (the rule: orchestrator-version.ts). Retry policies come by version.
 * A restarted instance is given the stored saga record (`continueFrom`) and continues it.
 */
export function* orderSagaOrchestrator(context: OrchestrationContext): Generator<Task, SagaStatus, unknown> {
  const df = context.df;
  const input = sagaInput(df);
  const { order, continueFrom, retry, version } = input;
  const started =
    continueFrom?.saga ??
    startSaga({ orderId: order.orderId, sagaStyle: 'orchestration', instanceId: df.instanceId, now: df.currentUtcDateTime.toISOString() });
  const log = (message: string): void => {
    if (!df.isReplaying) context.log(`[orderId=${order.orderId} correlationId=${order.correlationId}] ${message}`);
  };
  const journal = new SagaJournal(df, started, log, retry, carriedTrace(order), version >= 3);
  journal.payment = continueFrom?.payment ?? null;

  log(continueFrom ? `Saga continued from its record (${started.status})` : 'Saga started');
  // Starting is a transition too: the record exists (and GET .../saga answers) before the first step runs.
  journal.record(null, (saga) => saga);

  if (!isFinalSagaStatus(journal.saga.status)) yield* runSaga(df, journal, order, retry, log);

  journal.record(null, (saga, now) => (isFinalSagaStatus(saga.status) ? saga : finishSaga(saga, now)));
  const finishedAt = df.currentUtcDateTime.getTime();
  const saved = yield* journal.flush(retry.finalSagaRecord);
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
 * The forward steps, then the compensations if one failed. A saga continued from its record skips what the
 * record shows done: a compensating saga runs only the compensations still owed, and a step that already
 * succeeded is run again only to learn its result (every step is idempotent by order id).
 */
function* runSaga(
  df: DurableOrchestrationContext,
  journal: SagaJournal,
  order: SagaOrder,
  retry: OrchestrationRetryPolicies,
  log: (message: string) => void,
): Generator<Task, void, unknown> {
  const compensating = journal.saga.compensation;
  if (journal.saga.status === 'Compensating' && compensating) {
    yield* compensate(df, journal, order, compensating.failedStep, retry.compensation);
    return;
  }
  for (const step of ORDER_SAGA) {
    const failure = yield* runForwardStep(df, journal, order, step, retry.step);
    if (failure !== null) {
      log(`${step.name} failed: ${failure}; compensating`);
      journal.record(step.name, (saga, now) => recordStepFailed(saga, step.name, failure, now));
      yield* compensate(df, journal, order, step.name, retry.compensation);
      return;
    }
    journal.record(step.name, (saga, now) =>
      saga.steps.some((entry) => entry.name === step.name && entry.status === 'Succeeded') ? saga : recordStepSucceeded(saga, step.name, now),
    );
  }
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
  policy: RetryPolicy,
): Generator<Task, string | null, unknown> {
  const recorded = journal.saga.steps.find((entry) => entry.name === step.name);
  const earlierAttempts = recorded?.attempts ?? 0;
  const succeededBefore = recorded?.status === 'Succeeded';
  const outcome = yield* withRetries(
    df,
    policy,
    () => journal.act(step.name, order),
    succeededBefore
      ? undefined
      : function* (attempt) {
          const attemptNumber = earlierAttempts + attempt;
          journal.record(step.name, (saga, now) => recordStepAttempt(saga, step.name, attemptNumber, now));
          // Version 3 on: the step's own activity saves the record before it acts.
          if (journal.savesInSteps) return;
          const saved = yield* journal.flush();
          if (!saved.ok) return `the saga record of order ${order.orderId} could not be saved before attempt ${attemptNumber} (${saved.error})`;
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
  policy: RetryPolicy,
): Generator<Task, void, unknown> {
  for (const name of compensationPlan(failedStep)) {
    const earlier = journal.saga.compensation?.steps.find((entry) => entry.name === name);
    // Done for good; a compensation that had failed is tried again, its attempts adding up.
    if (earlier && earlier.status !== 'Failed') continue;
    const earlierAttempts = earlier?.attempts ?? 0;
    journal.showProgress(name);
    const outcome = yield* withRetries(
      df,
      policy,
      () => journal.act(name, order),
      function* () {
        if (!journal.savesInSteps) yield* journal.flush();
      },
    );
    const attempts = earlierAttempts + outcome.attempts;
    const entry: Omit<CompensationStep, 'completedAt'> = outcome.ok
      ? { name, status: outcome.value, attempts, error: null }
      : { name, status: 'Failed', attempts, error: outcome.error };
    if (name === 'RefundPayment') journal.payment = paymentAfterRefund(entry.status, journal.payment);
    journal.record(name, (saga, now) => inPlanOrder(recordCompensation(saga, entry, now)));
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

/** Compensations listed in the order they run, also when one was tried again after the others. */
function inPlanOrder(saga: OrderSaga): OrderSaga {
  const compensation = saga.compensation;
  if (!compensation) return saga;
  const plan = compensationPlan(compensation.failedStep);
  const steps = [...compensation.steps].sort((a, b) => plan.indexOf(a.name) - plan.indexOf(b.name));
  return { ...saga, compensation: { ...compensation, steps } };
}

type SaveOutcome = { ok: true } | { ok: false; error: string; attempts: number };

/**
 * The saga record as the orchestrator holds it. Every change shows at once in the custom status; it is
 * saved before the next activity with a side effect runs (and at the end), so the stored record is not
 * behind what the saga has done while the database answers, and back-to-back transitions (a step
 * succeeding, the next one starting) cost one write instead of two. A save that fails leaves the record
 * unsaved; the caller decides what that means, and the next flush writes the newer snapshot, which includes
 * everything since the last save.
 * With `savesInSteps` (version 3 on), the record to save travels in the input of the next step or
 * compensation (`act`), which saves it before acting; only the final save is an activity of its own. A step
 * that completed saved it; a compensation saves it on a best-effort basis and counts it saved, since every
 * compensation changes the record again and the final save writes the status the order ends with.
 */
class SagaJournal {
  payment: SagaPayment | null = null;
  #unsaved = false;
  #savedOrderView: string | null = null;

  constructor(
    private readonly df: DurableOrchestrationContext,
    public saga: OrderSaga,
    private readonly log: (message: string) => void,
    private readonly retry: OrchestrationRetryPolicies,
    private readonly trace: TraceCarrier = {},
    readonly savesInSteps = false,
  ) {}

  /** Calls a step or compensation; with `savesInSteps`, handing it the record to save first. */
  *act<N extends ForwardStepName | CompensationName>(name: N, order: SagaOrder): Generator<Task, ActivityOutput<N>, unknown> {
    if (!this.savesInSteps) return yield* callActivity(this.df, name, order);
    const pending = this.#unsaved ? this.#saveInput() : null;
    try {
      const output = yield* callActivity(this.df, name, { order, sagaRecord: pending?.input ?? null });
      if (pending) this.#saved(pending.orderView);
      return output;
    } catch (error) {
      // A compensation saves before it acts, whatever comes of the save, so its failure says nothing about the
      // save; a forward step that failed may not have saved, and its next attempt sends the record again.
      if (pending && !isForwardStep(name)) this.#saved(pending.orderView);
      throw error;
    }
  }

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
  *flush(policy: RetryPolicy = this.retry.sagaRecord): Generator<Task, SaveOutcome, unknown> {
    if (!this.#unsaved) return { ok: true };
    const { input, orderView } = this.#saveInput();
    const saved = yield* withRetries(this.df, policy, () => callActivity(this.df, 'SaveSagaState', input));
    if (!saved.ok) {
      this.log(`Could not save the saga record (${this.saga.status}) after ${saved.attempts} attempts: ${saved.error}`);
      return { ok: false, error: saved.error, attempts: saved.attempts };
    }
    this.#saved(orderView);
    return { ok: true };
  }

  #saveInput(): { input: SaveSagaStateInput; orderView: string } {
    const orderView = JSON.stringify({ ...orderStatusFor(this.saga), payment: this.payment });
    return { input: { saga: this.saga, payment: this.payment, orderChanged: orderView !== this.#savedOrderView, ...this.trace }, orderView };
  }

  #saved(orderView: string): void {
    this.#unsaved = false;
    this.#savedOrderView = orderView;
  }
}

function isForwardStep(name: ForwardStepName | CompensationName): name is ForwardStepName {
  return ORDER_SAGA.some((step) => step.name === name);
}

function sagaInput(df: DurableOrchestrationContext): ReadSagaInput {
  const input = readSagaInput(df.getInput<unknown>());
  if (typeof input === 'string') throw new Error(`${ORDER_SAGA_ORCHESTRATOR} ${input}`);
  return input;
}
