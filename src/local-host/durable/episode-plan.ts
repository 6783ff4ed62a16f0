/**
 * Turns one episode's answer into numbered history events and work for the host. The order of numbering
 * is DF's: first whatever the delivered event made a RetryableTask allocate (a retry timer after a failure,
 * the next attempt after that timer), then the new leaves of the action list. One event per episode keeps
 * that order unambiguous (see the protocol doc, §9).
 */
import { ActionType, flattenActions, type OrchestratorAction, type OrchestratorState } from './actions';
import { EventType, history, type HistoryEvent, type TaskFailure } from './history';
import { recordOf } from './replay-check';
import { nextRetryDelay, readRetryPolicy } from './retry-policy';
import type { RetryState, RetryTarget, TaskLedger } from './task-ledger';
import { toJsonText, unwrapProcessedInput } from './typed-data';

export type WorkItem =
  | { type: 'activity'; taskId: number; name: string; input: string | null }
  | { type: 'subOrchestration'; taskId: number; name: string; instanceId: string; input: string | null; version?: string }
  | { type: 'timer'; timerId: number; fireAt: Date }
  | { type: 'cancelTimer'; timerId: number }
  /** Completes a task at once with a failure, without running anything. */
  | { type: 'failTask'; taskId: number; failure: TaskFailure; subOrchestration: boolean };

export interface EpisodePlan {
  /** TaskScheduled / TimerCreated / SubOrchestrationInstanceCreated, in id order. */
  scheduled: HistoryEvent[];
  work: WorkItem[];
  /** Set when the orchestrator used something the host does not run; the instance then fails with it. */
  unsupported?: string;
}

export interface PlanContext {
  /** The episode's OrchestratorStarted time (DF's currentUtcDateTime). */
  now: Date;
  /** The id for a sub-orchestration started without an explicit instance id. */
  childInstanceId(taskId: number): string;
}

function failureOf(event: HistoryEvent): TaskFailure {
  const failure: TaskFailure = {
    reason: typeof event.Reason === 'string' ? event.Reason : '',
    details: typeof event.Details === 'string' ? event.Details : '',
  };
  if (event.FailureDetails && typeof event.FailureDetails === 'object') {
    failure.failureDetails = event.FailureDetails as TaskFailure['failureDetails'];
  }
  return failure;
}

/** Activity inputs were JSON-encoded by DF when they were strings; the function gets the value itself. */
function activityInput(input: unknown): string | null {
  return toJsonText(unwrapProcessedInput(input));
}

class Planner {
  readonly plan: EpisodePlan = { scheduled: [], work: [] };

  constructor(
    private readonly ledger: TaskLedger,
    private readonly ctx: PlanContext,
  ) {}

  /** DF's RetryableTask reacting to the delivered event (its lazy numbering). */
  mirrorRetries(delivered: HistoryEvent): void {
    const { now } = this.ctx;
    switch (delivered.EventType) {
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed: {
        const retry = this.ledger.get(delivered.TaskScheduledId as number)?.retry;
        if (!retry || retry.currentTaskId !== delivered.TaskScheduledId) return;
        retry.lastFailure = failureOf(delivered);
        const failedIndex = retry.attemptNumber - 1;
        retry.attemptNumber++;
        const delay = retry.expired ? { delayMs: 0, expired: true } : nextRetryDelay(retry.policy, failedIndex, retry.firstAttemptAt, now);
        retry.expired = delay.expired;
        // DTFx creates a timer after every failed attempt, the last one included, and DF waits for it
        // before it gives up. Without the timer DF would hang (azure-functions-durable-js#629), so an
        // expired retryTimeout still gets one, of zero length.
        const timerId = this.ledger.allocate('retryTimer', retry);
        retry.timerId = timerId;
        const fireAt = new Date(now.getTime() + delay.delayMs);
        this.plan.scheduled.push(history.timerCreated(now, timerId, fireAt));
        this.plan.work.push({ type: 'timer', timerId, fireAt });
        this.ledger.timerStarted(timerId, fireAt);
        return;
      }
      case EventType.TimerFired: {
        const timerId = delivered.TimerId as number;
        this.ledger.timerEnded(timerId);
        const entry = this.ledger.get(timerId);
        if (entry?.kind !== 'retryTimer' || !entry.retry || entry.retry.timerId !== timerId) return;
        const retry = entry.retry;
        retry.timerId = undefined;
        // DF fails the task now; nothing is numbered.
        if (retry.attemptNumber > retry.policy.maxNumberOfAttempts) return;
        const taskId = this.ledger.allocate(retry.target.kind, retry);
        retry.currentTaskId = taskId;
        if (retry.expired && retry.lastFailure) {
          // retryTimeout has passed, so DTFx would not try again. DF cannot be told to stop early, so the
          // remaining attempts fail at once with the last failure until DF's attempt count runs out.
          this.schedule(taskId, retry.target, false);
          this.plan.work.push({ type: 'failTask', taskId, failure: retry.lastFailure, subOrchestration: retry.target.kind === 'subOrchestration' });
        } else {
          this.schedule(taskId, retry.target, true);
        }
        return;
      }
      default:
        return;
    }
  }

  private schedule(taskId: number, target: RetryTarget, run: boolean): void {
    const { now } = this.ctx;
    if (target.kind === 'activity') {
      this.plan.scheduled.push(history.taskScheduled(now, taskId, target.name, target.input));
      if (run) this.plan.work.push({ type: 'activity', taskId, name: target.name, input: target.input });
      return;
    }
    const instanceId = target.instanceId ?? this.ctx.childInstanceId(taskId);
    this.plan.scheduled.push(history.subOrchestrationCreated(now, taskId, target.name, instanceId, target.input));
    if (!run) return;
    const item: WorkItem = { type: 'subOrchestration', taskId, name: target.name, instanceId, input: target.input };
    if (target.version) item.version = target.version;
    this.plan.work.push(item);
  }

  private withRetry(action: OrchestratorAction, target: RetryTarget): RetryState {
    return {
      policy: readRetryPolicy(action.retryOptions),
      target,
      attemptNumber: 1,
      firstAttemptAt: this.ctx.now,
      currentTaskId: -1,
      expired: false,
    };
  }

  newAction(action: OrchestratorAction, index: number): void {
    const { now } = this.ctx;
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry: {
        const target: RetryTarget = { kind: 'activity', name: String(action.functionName), input: activityInput(action.input) };
        const retry = action.actionType === ActionType.CallActivityWithRetry ? this.withRetry(action, target) : undefined;
        const taskId = this.ledger.allocate('activity', retry);
        if (retry) retry.currentTaskId = taskId;
        this.record(action, taskId);
        this.schedule(taskId, target, true);
        return;
      }
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry: {
        // Sub-orchestration inputs are not pre-encoded by DF.
        const target: RetryTarget = { kind: 'subOrchestration', name: String(action.functionName), input: toJsonText(action.input) };
        if (action.instanceId) target.instanceId = action.instanceId;
        if (action.version) target.version = action.version;
        const retry = action.actionType === ActionType.CallSubOrchestratorWithRetry ? this.withRetry(action, target) : undefined;
        const taskId = this.ledger.allocate('subOrchestration', retry);
        if (retry) retry.currentTaskId = taskId;
        this.record(action, taskId, target.instanceId ?? this.ctx.childInstanceId(taskId));
        this.schedule(taskId, target, true);
        return;
      }
      case ActionType.CreateTimer: {
        const timerId = this.ledger.allocate('timer');
        this.record(action, timerId);
        const fireAt = new Date(String(action.fireAt));
        this.plan.scheduled.push(history.timerCreated(now, timerId, fireAt));
        if (!action.isCanceled) {
          this.ledger.timerStarted(timerId, fireAt, index);
          this.plan.work.push({ type: 'timer', timerId, fireAt });
        }
        return;
      }
      case ActionType.WaitForExternalEvent:
      case ActionType.ContinueAsNew:
        return;
      case ActionType.CallHttp:
        this.plan.unsupported ??= 'callHttp is not supported by the embedded host.';
        this.ledger.allocate('activity');
        return;
      default:
        this.plan.unsupported ??= `Durable entities (action type ${action.actionType}) are not supported by the embedded host.`;
        this.ledger.allocate('activity');
        return;
    }
  }

  private record(action: OrchestratorAction, taskId: number, instanceId?: string): void {
    const recorded = recordOf(action, taskId, instanceId);
    if (recorded) this.ledger.recorded.push(recorded);
  }

  /** `timer.cancel()` flips isCanceled on an action that is already in the list. */
  cancellations(flat: OrchestratorAction[]): void {
    for (const [index, timerId] of this.ledger.actionTimers()) {
      if (flat[index]?.isCanceled && this.ledger.timerEnded(timerId)) {
        this.plan.work.push({ type: 'cancelTimer', timerId });
      }
    }
  }
}

/**
 * Plans a Running episode: `delivered` is the one new event it replayed and `state` what DF returned.
 * Mutates the ledger (numbering and retry state).
 */
export function planEpisode(ledger: TaskLedger, delivered: HistoryEvent, state: OrchestratorState, ctx: PlanContext): EpisodePlan {
  const planner = new Planner(ledger, ctx);
  planner.mirrorRetries(delivered);
  const flat = flattenActions(state);
  for (let index = ledger.handledActions; index < flat.length; index++) {
    planner.newAction(flat[index]!, index);
  }
  ledger.handledActions = Math.max(ledger.handledActions, flat.length);
  planner.cancellations(flat);
  return planner.plan;
}
