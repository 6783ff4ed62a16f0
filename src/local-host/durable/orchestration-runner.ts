/**
 * Runs orchestration instances: one episode per new event, serially per instance, a bounded number at a
 * time across instances. Each episode replays the instance's history through the real durable-functions
 * code inside the orchestrator handler; this class only decides which event goes next and acts on the
 * returned OrchestratorState (protocol doc §9).
 */
import type { FunctionInvoker, HostClock, RegisteredFunction } from '../contracts';
import { ActionType, asOrchestratorState, flattenActions, type OrchestratorAction, type OrchestratorState } from './actions';
import type { ActivityRunner } from './activity-runner';
import type { DurableTimers } from './durable-timers';
import { planEpisode, type EpisodePlan, type WorkItem } from './episode-plan';
import { orchestrationTriggerPayload } from './episode-payload';
import {
  errorMessage,
  orchestratorFailureOutput,
  readOrchestratorFailure,
  subOrchestrationFailure,
  type OrchestratorFailure,
} from './failures';
import { FunctionCatalog, missingFunctionMessage } from './function-catalog';
import {
  EventType,
  OrchestrationStatusCode,
  history,
  type FailureDetailsPayload,
  type HistoryEvent,
  type ParentLink,
  type TaskFailure,
} from './history';
import { childInstanceId, instanceIdProblem, newExecutionId, newInstanceId } from './ids';
import { isTerminal, type InstanceQuery, type InstanceRecord, type InstanceSummary } from './instance-store';
import { replayMismatch } from './replay-check';
import { Semaphore } from './semaphore';
import { TaskLedger } from './task-ledger';
import type { InboxEntry, TaskHubStore } from './task-hub-store';
import { returnValueToObject, toJsonText, unwrapProcessedInput } from './typed-data';

export interface StartRequest {
  name: string;
  instanceId?: string;
  /** JSON text of the input, or null. */
  input: string | null;
  version?: string | null;
  parent?: ParentLink;
}

export type StartResult = { ok: true; instanceId: string } | { ok: false; status: 400 | 409; message: string };

export type ControlResult = 'accepted' | 'notFound' | 'gone';

export interface OrchestrationCounters {
  instancesStarted: number;
  episodes: number;
  /** Episodes that replayed earlier history (every episode after an instance's first). */
  replays: number;
  /** History events handed back to DF for replay, summed over episodes. */
  replayedEvents: number;
  /** History events written. */
  historyEvents: number;
  timersFired: number;
  completed: number;
  failed: number;
  terminated: number;
  continuedAsNew: number;
}

/** The runtime side of one execution of an instance; replaced on continueAsNew and restart. */
interface Execution {
  readonly instanceId: string;
  readonly executionId: string;
  readonly fn: RegisteredFunction;
  readonly ledger: TaskLedger;
  /** Events delivered and persisted, not yet consumed by an episode, oldest first. */
  inbox: InboxEntry[];
  /** An episode is queued or running; a second one must not start (episodes of one instance never overlap). */
  pumping: boolean;
}

type EpisodeOutcome = { state: OrchestratorState } | { failure: OrchestratorFailure };

type Finish =
  | { status: 'Completed'; output: string | null }
  | { status: 'Failed'; output: string; failureDetails?: FailureDetailsPayload };

export interface OrchestrationRunnerOptions {
  store: TaskHubStore;
  catalog: FunctionCatalog;
  invoker: FunctionInvoker;
  clock: HostClock;
  timers: DurableTimers;
  activities: ActivityRunner;
  maxConcurrentEpisodes: number;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

function played(events: HistoryEvent[]): HistoryEvent[] {
  for (const event of events) event.IsPlayed = true;
  return events;
}

export class OrchestrationRunner {
  readonly counters: OrchestrationCounters = {
    instancesStarted: 0,
    episodes: 0,
    replays: 0,
    replayedEvents: 0,
    historyEvents: 0,
    timersFired: 0,
    completed: 0,
    failed: 0,
    terminated: 0,
    continuedAsNew: 0,
  };

  readonly #options: OrchestrationRunnerOptions;
  readonly #executions = new Map<string, Execution>();
  readonly #slots: Semaphore;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #listeners = new Set<(record: InstanceRecord) => void>();
  #draining = false;

  constructor(options: OrchestrationRunnerOptions) {
    this.#options = options;
    this.#slots = new Semaphore(options.maxConcurrentEpisodes);
  }

  get runningEpisodes(): number {
    return this.#slots.inUse;
  }

  /** Executions held in the heap (running instances only). */
  get executions(): number {
    return this.#executions.size;
  }

  /** Called after every change to an instance record. */
  onChange(listener: (record: InstanceRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- client operations -------------------------------------------------------------------------

  /**
   * Creates an instance. An existing instance id is only reused when that instance is in a terminal state
   * (Completed, Failed, Terminated, Canceled): the extension's default `overridableExistingInstanceStates`
   * is NonRunningStates, so starting over a Pending, Running or Suspended instance is refused with 409.
   * Callers rely on this for idempotency, e.g. a redelivered message that starts "the saga for order X"
   * must not start a second one while the first is still running.
   */
  start(request: StartRequest): StartResult {
    const { store, catalog, clock } = this.#options;
    const fn = catalog.find('orchestrator', request.name);
    if (!fn) return { ok: false, status: 400, message: missingFunctionMessage(request.name, 'orchestrator') };
    const instanceId = request.instanceId ?? newInstanceId();
    const problem = instanceIdProblem(instanceId);
    if (problem) return { ok: false, status: 400, message: problem };
    const existing = store.summary(instanceId);
    if (existing && !isTerminal(existing.runtimeStatus)) {
      return {
        ok: false,
        status: 409,
        message:
          `An orchestration instance with ID '${instanceId}' already exists and is ${existing.runtimeStatus}. ` +
          'Only instances in a terminal state (Completed, Failed, Terminated) can be replaced by a new one.',
      };
    }
    const previous = this.#executions.get(instanceId);
    if (previous) this.#retire(previous);

    const now = clock.now();
    const record: InstanceRecord = {
      instanceId,
      name: fn.name,
      version: request.version ?? null,
      runtimeStatus: 'Pending',
      input: request.input,
      output: null,
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
      executionId: newExecutionId(),
      generation: 0,
      history: [],
    };
    if (request.parent) record.parent = request.parent;
    store.transaction(() => {
      store.create(record);
      this.#beginExecution(record, fn, []);
    });
    this.counters.instancesStarted++;
    this.#changed(record);
    return { ok: true, instanceId };
  }

  /** Starts the same orchestration with the same input, under a new id unless `sameId`. */
  restart(instanceId: string, sameId: boolean): StartResult | undefined {
    const record = this.#options.store.summary(instanceId);
    if (!record) return undefined;
    const request: StartRequest = { name: record.name, input: record.input, version: record.version };
    if (sameId) request.instanceId = instanceId;
    return this.start(request);
  }

  /** Queues an EventRaised. Events for a Pending or Suspended instance wait in its inbox. */
  raiseEvent(instanceId: string, eventName: string, input: string | null): ControlResult {
    const record = this.#options.store.summary(instanceId);
    if (!record) return 'notFound';
    if (isTerminal(record.runtimeStatus)) return 'gone';
    const exec = this.#executions.get(instanceId);
    if (!exec) return 'gone';
    this.#enqueue(exec, history.eventRaised(this.#options.clock.now(), eventName, input));
    this.#kick(exec);
    return 'accepted';
  }

  terminate(instanceId: string, reason: string): ControlResult {
    const record = this.#running(instanceId);
    if (typeof record === 'string') return record;
    const now = this.#options.clock.now();
    const exec = this.#executions.get(instanceId);
    if (exec) this.#retire(exec);
    this.#options.store.transaction(() => {
      const appended = this.#append(record, [history.executionTerminated(now, reason), history.executionCompleted(now, OrchestrationStatusCode.Terminated, reason)]);
      record.runtimeStatus = 'Terminated';
      record.output = reason;
      record.lastUpdatedTime = now;
      this.#options.store.save(record, appended, null);
      this.#notifyParent(record, {
        completed: false,
        failure: subOrchestrationFailure(`Orchestration instance '${record.instanceId}' was terminated: ${reason}`),
      });
    });
    this.counters.terminated++;
    this.#changed(record);
    return 'accepted';
  }

  suspend(instanceId: string, reason: string | null): ControlResult {
    const record = this.#running(instanceId);
    if (typeof record === 'string') return record;
    if (record.runtimeStatus === 'Suspended') return 'accepted';
    const now = this.#options.clock.now();
    const appended = this.#append(record, [history.executionSuspended(now, reason)]);
    record.runtimeStatus = 'Suspended';
    record.lastUpdatedTime = now;
    this.#options.store.save(record, appended, undefined);
    this.#changed(record);
    return 'accepted';
  }

  resume(instanceId: string, reason: string | null): ControlResult {
    const record = this.#running(instanceId);
    if (typeof record === 'string') return record;
    if (record.runtimeStatus !== 'Suspended') return 'accepted';
    const now = this.#options.clock.now();
    const appended = this.#append(record, [history.executionResumed(now, reason)]);
    record.runtimeStatus = 'Running';
    record.lastUpdatedTime = now;
    this.#options.store.save(record, appended, undefined);
    this.#changed(record);
    const exec = this.#executions.get(instanceId);
    if (exec) this.#kick(exec);
    return 'accepted';
  }

  /** Deletes a terminal instance (the extension answers 412 for one that is still running). */
  purge(instanceId: string): 'purged' | 'notFound' | 'notTerminal' {
    const record = this.#options.store.summary(instanceId);
    if (!record) return 'notFound';
    if (!isTerminal(record.runtimeStatus)) return 'notTerminal';
    this.#options.store.delete(instanceId);
    return 'purged';
  }

  /** Deletes the terminal instances that match; running ones are never purged by a filter. */
  purgeWhere(query: InstanceQuery): number {
    return this.#options.store.deleteFinished(query);
  }

  /** The record of an instance that has not finished (from the heap), or why there is none. */
  #running(instanceId: string): InstanceRecord | 'notFound' | 'gone' {
    const summary: InstanceSummary | undefined = this.#options.store.summary(instanceId);
    if (!summary) return 'notFound';
    if (isTerminal(summary.runtimeStatus)) return 'gone';
    return this.#options.store.get(instanceId) ?? 'notFound';
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  /** Stops starting episodes and waits (up to `timeoutMs`) for the running ones. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.#draining = true;
    const settled = Promise.allSettled([...this.#inFlight]).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([settled, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resumes every instance the task hub holds unfinished (after a restart or a crash): its execution is
   * rebuilt from the stored ledger and inbox, the inbox is processed, activities scheduled without a result
   * run again (at least once, as on Azure), pending timers are re-armed (a past one fires at once) and
   * sub-orchestrations are found by their own rows. Suspended instances stay suspended. Returns how many
   * instances were resumed.
   */
  recover(): number {
    const { store, catalog } = this.#options;
    const restored: Array<{ record: InstanceRecord; exec: Execution }> = [];
    for (const { record, ledger } of store.unfinished()) {
      if (this.#executions.has(record.instanceId)) continue;
      const fn = catalog.find('orchestrator', record.name);
      const exec: Execution = {
        instanceId: record.instanceId,
        executionId: record.executionId,
        fn: fn ?? { name: record.name, bindings: {}, triggerName: '', trigger: { type: 'orchestrationTrigger', direction: 'in' } },
        ledger: ledger ? TaskLedger.restore(ledger) : new TaskLedger(),
        inbox: store.inbox(record.instanceId, record.executionId),
        pumping: false,
      };
      this.#executions.set(record.instanceId, exec);
      if (!fn) {
        const output = orchestratorFailureOutput(record.name, missingFunctionMessage(record.name, 'orchestrator'));
        store.transaction(() => this.#finish(record, exec, [], { status: 'Failed', output }));
        continue;
      }
      restored.push({ record, exec });
    }
    // All executions exist before any work restarts, so that a child finishing at once finds its parent.
    for (const { record, exec } of restored) this.#resumeWork(record, exec);
    for (const { exec } of restored) this.#kick(exec);
    return restored.length;
  }

  /** Restarts the work an execution was waiting for when the process stopped. */
  #resumeWork(record: InstanceRecord, exec: Execution): void {
    const answered = new Set<number>();
    const fired = new Set<number>();
    const note = (event: HistoryEvent): void => {
      switch (event.EventType) {
        case EventType.TaskCompleted:
        case EventType.TaskFailed:
        case EventType.SubOrchestrationInstanceCompleted:
        case EventType.SubOrchestrationInstanceFailed:
          answered.add(event.TaskScheduledId as number);
          return;
        case EventType.TimerFired:
          fired.add(event.TimerId as number);
          return;
        default:
          return;
      }
    };
    for (const event of record.history) note(event);
    for (const entry of exec.inbox) note(entry.event);
    for (const event of record.history) {
      if (answered.has(event.EventId)) continue;
      if (event.EventType === EventType.TaskScheduled) {
        this.#perform(record, exec, { type: 'activity', taskId: event.EventId, name: String(event.Name), input: (event.Input as string | null) ?? null });
      } else if (event.EventType === EventType.SubOrchestrationInstanceCreated) {
        this.#reattachChild(record, exec, event);
      }
    }
    for (const [timerId, fireAt] of exec.ledger.pendingTimers()) {
      if (!fired.has(timerId)) this.#perform(record, exec, { type: 'timer', timerId, fireAt });
    }
  }

  /** A child that is ours reports by itself when it ends; one that is missing is started again. */
  #reattachChild(record: InstanceRecord, exec: Execution, created: HistoryEvent): void {
    const { store, clock } = this.#options;
    const taskId = created.EventId;
    const childId = String(created.InstanceId);
    const child = store.summary(childId);
    const parent = child?.parent;
    const ours = parent !== undefined && parent.instanceId === record.instanceId && parent.executionId === exec.executionId && parent.taskId === taskId;
    if (!child || !ours) {
      store.transaction(() =>
        this.#perform(record, exec, { type: 'subOrchestration', taskId, name: String(created.Name), instanceId: childId, input: (created.Input as string | null) ?? null }),
      );
      return;
    }
    if (!isTerminal(child.runtimeStatus)) return;
    const now = clock.now();
    const event =
      child.runtimeStatus === 'Completed'
        ? history.subOrchestrationCompleted(now, taskId, child.output)
        : history.subOrchestrationFailed(now, taskId, subOrchestrationFailure(child.output ?? child.runtimeStatus, child.failureDetails));
    this.#deliver(record.instanceId, exec.executionId, event);
  }

  // ---- episodes ----------------------------------------------------------------------------------

  #beginExecution(record: InstanceRecord, fn: RegisteredFunction, carriedEvents: HistoryEvent[]): void {
    const exec: Execution = {
      instanceId: record.instanceId,
      executionId: record.executionId,
      fn,
      ledger: new TaskLedger(),
      inbox: [],
      pumping: false,
    };
    const started = history.executionStarted(this.#options.clock.now(), {
      instanceId: record.instanceId,
      executionId: record.executionId,
      name: record.name,
      version: record.version,
      input: record.input,
      generation: record.generation,
      ...(record.parent ? { parent: record.parent } : {}),
    });
    for (const event of [started, ...carriedEvents]) this.#enqueue(exec, event);
    this.#executions.set(record.instanceId, exec);
    this.#kick(exec);
  }

  /** The record, if `exec` is still its current execution. */
  #current(exec: Execution): InstanceRecord | undefined {
    if (this.#executions.get(exec.instanceId) !== exec) return undefined;
    const record = this.#options.store.get(exec.instanceId);
    if (!record || record.executionId !== exec.executionId) return undefined;
    return record;
  }

  /** Persists an event for the execution (before any episode sees it) and queues it. */
  #enqueue(exec: Execution, event: HistoryEvent): void {
    exec.inbox.push({ seq: this.#options.store.enqueue(exec.instanceId, exec.executionId, event), event });
  }

  #kick(exec: Execution): void {
    if (exec.pumping || this.#draining || exec.inbox.length === 0) return;
    const record = this.#current(exec);
    if (!record || isTerminal(record.runtimeStatus) || record.runtimeStatus === 'Suspended') return;
    exec.pumping = true;
    // One episode per slot acquisition, so that busy instances take turns with the others.
    const run = this.#slots
      .run(() => this.#episode(exec))
      .catch((err: unknown) => this.#options.log('error', `orchestration ${exec.instanceId}: ${errorMessage(err)}`))
      .finally(() => {
        this.#inFlight.delete(run);
        exec.pumping = false;
        this.#kick(exec);
      });
    this.#inFlight.add(run);
  }

  /** Delivers a completion to the execution that asked for it; results for an older execution are dropped. */
  #deliver(instanceId: string, executionId: string, event: HistoryEvent): void {
    const exec = this.#executions.get(instanceId);
    // After close (a drain that gave up on an activity) the result is lost here; the next start runs it again.
    if (!exec || exec.executionId !== executionId || this.#options.store.closed) return;
    this.#enqueue(exec, event);
    this.#kick(exec);
  }

  async #episode(exec: Execution): Promise<void> {
    const record = this.#current(exec);
    if (this.#draining || !record || isTerminal(record.runtimeStatus) || record.runtimeStatus === 'Suspended') return;
    const entry = exec.inbox.shift();
    if (!entry) return;
    const delivered = entry.event;
    const startedAt = this.#options.clock.now();
    const started = history.orchestratorStarted(startedAt);
    const payload = orchestrationTriggerPayload(record, [started, delivered]);
    this.counters.episodes++;
    if (record.history.length > 0) {
      this.counters.replays++;
      this.counters.replayedEvents += record.history.length;
    }

    let outcome: EpisodeOutcome;
    try {
      const result = await this.#options.invoker.invoke(exec.fn, { triggerData: { json: JSON.stringify(payload) } });
      outcome = { state: asOrchestratorState(returnValueToObject(result.returnValue)) };
    } catch (err) {
      outcome = { failure: readOrchestratorFailure(err) };
    }

    // Terminated, purged or restarted while the orchestrator ran: the answer belongs to nobody.
    const current = this.#current(exec);
    if (!current || isTerminal(current.runtimeStatus) || this.#options.store.closed) return;
    // The episode's whole outcome and the consumption of its event are one transaction.
    const { store } = this.#options;
    try {
      store.transaction(() => this.#commit(current, exec, startedAt, [started, delivered], outcome, entry.seq));
    } catch (err) {
      // A finished instance's inbox goes with it, so its event needs no consuming.
      store.transaction(() =>
        this.#finish(current, exec, [started, delivered], {
          status: 'Failed',
          output: orchestratorFailureOutput(current.name, errorMessage(err)),
        }),
      );
    }
  }

  /** `consumed` is the inbox sequence number of the event the episode processed. */
  #commit(record: InstanceRecord, exec: Execution, startedAt: Date, events: HistoryEvent[], outcome: EpisodeOutcome, consumed: number): void {
    const state = 'state' in outcome ? outcome.state : outcome.failure.state;
    // The extension applies a custom status whenever DF sends one (DF omits falsy values).
    if (state && state.customStatus !== undefined) record.customStatus = toJsonText(state.customStatus);

    if ('failure' in outcome) {
      const finish: Finish = { status: 'Failed', output: orchestratorFailureOutput(record.name, outcome.failure.error) };
      if (outcome.failure.failureDetails) finish.failureDetails = outcome.failure.failureDetails;
      this.#finish(record, exec, events, finish);
      return;
    }
    const { state: done } = outcome;
    const mismatch = replayMismatch(exec.ledger.recorded, flattenActions(done));
    if (mismatch) {
      this.#finish(record, exec, events, { status: 'Failed', output: orchestratorFailureOutput(record.name, mismatch) });
      return;
    }
    if (done.isDone) {
      const continueAsNew = flattenActions(done).find((action) => action.actionType === ActionType.ContinueAsNew);
      if (continueAsNew) this.#continueAsNew(record, exec, events, continueAsNew);
      else this.#finish(record, exec, events, { status: 'Completed', output: toJsonText(done.output) });
      return;
    }

    const plan: EpisodePlan = planEpisode(exec.ledger, events[events.length - 1]!, done, {
      now: startedAt,
      childInstanceId: (taskId) => childInstanceId(record.instanceId, record.executionId, taskId),
    });
    if (plan.unsupported) {
      this.#finish(record, exec, events, { status: 'Failed', output: orchestratorFailureOutput(record.name, plan.unsupported) });
      return;
    }
    const now = this.#options.clock.now();
    const appended = this.#append(record, [...events, ...plan.scheduled, history.orchestratorCompleted(now)]);
    if (record.runtimeStatus === 'Pending' || record.runtimeStatus === 'ContinuedAsNew') record.runtimeStatus = 'Running';
    record.lastUpdatedTime = now;
    this.#options.store.save(record, appended, { ledger: exec.ledger.serialize(), inboxConsumed: consumed });
    this.#changed(record);
    // Inside the episode's transaction: a sub-orchestration's row and an at-once failure commit with it.
    for (const item of plan.work) this.#perform(record, exec, item);
  }

  #perform(record: InstanceRecord, exec: Execution, item: WorkItem): void {
    const { instanceId, executionId } = exec;
    const { clock, timers, activities } = this.#options;
    switch (item.type) {
      case 'activity':
        activities.dispatch({ instanceId, taskId: item.taskId, name: item.name, input: item.input }, (event) =>
          this.#deliver(instanceId, executionId, event),
        );
        return;
      case 'timer':
        timers.schedule(this.#timerKey(exec, item.timerId), item.fireAt, () => {
          this.counters.timersFired++;
          this.#deliver(instanceId, executionId, history.timerFired(clock.now(), item.timerId, item.fireAt));
        });
        return;
      case 'cancelTimer':
        timers.cancel(this.#timerKey(exec, item.timerId));
        return;
      case 'failTask': {
        const now = clock.now();
        const event = item.subOrchestration ? history.subOrchestrationFailed(now, item.taskId, item.failure) : history.taskFailed(now, item.taskId, item.failure);
        this.#deliver(instanceId, executionId, event);
        return;
      }
      case 'subOrchestration': {
        const request: StartRequest = {
          name: item.name,
          instanceId: item.instanceId,
          input: item.input,
          parent: { instanceId, executionId, name: record.name, taskId: item.taskId },
        };
        if (item.version) request.version = item.version;
        const started = this.start(request);
        if (!started.ok) {
          const failure: TaskFailure = subOrchestrationFailure(`Orchestrator function '${item.name}' could not start: ${started.message}`);
          this.#deliver(instanceId, executionId, history.subOrchestrationFailed(clock.now(), item.taskId, failure));
        }
        return;
      }
    }
  }

  #timerKey(exec: Execution, timerId: number): string {
    return `${exec.instanceId}\u0000${exec.executionId}\u0000${timerId}`;
  }

  #finish(record: InstanceRecord, exec: Execution, events: HistoryEvent[], finish: Finish): void {
    const now = this.#options.clock.now();
    this.#retire(exec);
    const code = finish.status === 'Completed' ? OrchestrationStatusCode.Completed : OrchestrationStatusCode.Failed;
    const failureDetails = finish.status === 'Failed' ? finish.failureDetails : undefined;
    const appended = this.#append(record, [...events, history.orchestratorCompleted(now), history.executionCompleted(now, code, finish.output, failureDetails)]);
    record.runtimeStatus = finish.status;
    record.output = finish.output;
    if (failureDetails) record.failureDetails = failureDetails;
    record.lastUpdatedTime = now;
    this.#options.store.save(record, appended, null);
    if (finish.status === 'Completed') {
      this.counters.completed++;
      this.#notifyParent(record, { completed: true, output: finish.output });
    } else {
      this.counters.failed++;
      this.#options.log('warn', `orchestration ${record.instanceId} failed: ${finish.output}`);
      this.#notifyParent(record, { completed: false, failure: subOrchestrationFailure(finish.output, failureDetails) });
    }
    this.#changed(record);
  }

  /** Ends this execution and starts the next one with the new input and an empty history. */
  #continueAsNew(record: InstanceRecord, exec: Execution, events: HistoryEvent[], action: OrchestratorAction): void {
    const now = this.#options.clock.now();
    // DF JSON-encodes a string input (Utils.processInput); the next execution gets the value.
    const input = toJsonText(unwrapProcessedInput(action.input));
    this.#append(record, [...events, history.orchestratorCompleted(now), history.executionCompleted(now, OrchestrationStatusCode.ContinuedAsNew, input)]);
    // External events that arrived too late for this execution are kept for the next one, as DTFx does.
    const carried = exec.inbox.map((entry) => entry.event).filter((event) => event.EventType === EventType.EventRaised);
    this.#retire(exec);
    this.#options.store.resetExecution(record.instanceId);
    record.executionId = newExecutionId();
    record.generation++;
    record.history = [];
    record.input = input;
    record.output = null;
    record.runtimeStatus = 'ContinuedAsNew';
    record.lastUpdatedTime = now;
    this.#options.store.save(record, [], null);
    this.counters.continuedAsNew++;
    this.#changed(record);
    this.#beginExecution(record, exec.fn, carried);
  }

  /** Forgets an execution: its timers stop and late results for it are dropped. */
  #retire(exec: Execution): void {
    this.#options.timers.cancelPrefix(`${exec.instanceId}\u0000${exec.executionId}\u0000`);
    exec.inbox = [];
    if (this.#executions.get(exec.instanceId) === exec) this.#executions.delete(exec.instanceId);
  }

  #notifyParent(record: InstanceRecord, result: { completed: true; output: string | null } | { completed: false; failure: TaskFailure }): void {
    const parent = record.parent;
    if (!parent) return;
    const now = this.#options.clock.now();
    const event = result.completed
      ? history.subOrchestrationCompleted(now, parent.taskId, result.output)
      : history.subOrchestrationFailed(now, parent.taskId, result.failure);
    this.#deliver(parent.instanceId, parent.executionId, event);
  }

  /** Pushes events onto the heap history and returns them, for the store's save. */
  #append(record: InstanceRecord, events: HistoryEvent[]): HistoryEvent[] {
    record.history.push(...played(events));
    this.counters.historyEvents += events.length;
    return events;
  }

  #changed(record: InstanceRecord): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(record);
      } catch (err) {
        this.#options.log('warn', `an instance listener threw: ${errorMessage(err)}`);
      }
    }
  }
}
