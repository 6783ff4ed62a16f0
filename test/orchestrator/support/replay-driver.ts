import { InvocationContext } from '@azure/functions';
import type { OrchestrationHandler } from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import type { ActivityInput, ActivityOutput, SagaActivityName } from '../../../src/orchestration/saga-activities';
import { EventType, history, orchestrationTrigger, type HistoryEvent } from './history';

/**
 * Plays an orchestrator the way the Durable extension does: one invocation per episode with the whole
 * history so far, the real durable-functions replay code deciding what to do, and one new completion per
 * episode. Activities are answered from a table of fakes; a fake that throws becomes a TaskFailed event.
 */
export type FakeActivities = {
  [N in SagaActivityName]?: (input: ActivityInput<N>, call: number) => ActivityOutput<N> | Promise<ActivityOutput<N>>;
};

/** `at` is the orchestrator's clock in the episode that scheduled it. */
export type Scheduled =
  | { kind: 'activity'; name: SagaActivityName; input: unknown; at: string }
  | { kind: 'timer'; fireAt: string; at: string };

export interface ReplayResult {
  runtimeStatus: 'Completed' | 'Failed' | 'Running';
  output: unknown;
  error: string | null;
  /** Everything the orchestrator scheduled, in order. */
  scheduled: Scheduled[];
  customStatuses: unknown[];
  episodes: number;
  /** Every event the orchestrator has been shown, as the extension would store it. */
  history: HistoryEvent[];
}

interface OrchestratorState {
  isDone: boolean;
  actions: unknown[][];
  output?: unknown;
  customStatus?: unknown;
}

interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  fireAt?: Date | string;
}

const CALL_ACTIVITY = 0;
const CREATE_TIMER = 5;
const STEP_MS = 1_000;

export interface ReplayOptions {
  name: string;
  orchestrator: OrchestrationHandler;
  instanceId: string;
  input: unknown;
  activities: FakeActivities;
  startAt?: Date;
  maxEpisodes?: number;
  /** Stop after this many episodes and report the instance `Running`, with its history so far. */
  stopAfterEpisodes?: number;
  /**
   * A history recorded earlier (by another version of the orchestrator): the replay starts from it, as the
   * extension does when a new version of the code picks up an instance in flight. Tasks it scheduled
   * without a completion are answered by the fakes. Every recorded TaskScheduled and TimerCreated must be
   * produced again by the same action in the same place, or the replay fails with the extension's message.
   */
  recorded?: readonly HistoryEvent[];
}

interface Completion {
  event: (at: Date) => HistoryEvent;
  notBefore: Date;
}

/** What a recorded scheduling event must be replayed by: the action type and, for an activity, its name. */
interface ExpectedAction {
  actionType: number;
  functionName?: string;
}

export async function replayOrchestration(options: ReplayOptions): Promise<ReplayResult> {
  const handler = createOrchestrator(options.orchestrator);
  const past: HistoryEvent[] = (options.recorded ?? []).map((e) => ({ ...e }));
  let clock = past.length > 0 ? new Date(Date.parse(String(past.at(-1)?.Timestamp)) + STEP_MS) : (options.startAt ?? new Date('2025-01-01T00:00:00.000Z'));
  let incoming: HistoryEvent[] = past.length > 0 ? [] : [history.executionStarted(clock, options.name, options.instanceId, options.input)];
  const scheduled: Scheduled[] = [];
  const seenActions: string[] = [];
  const customStatuses: unknown[] = [];
  const callCounts = new Map<string, number>();
  const expected = recordedActions(past);
  const completions: Completion[] = [];
  for (const pending of await pendingCompletions(past, options.activities, callCounts)) completions.push(pending);
  let nextId = expected.length;
  if (past.length > 0) {
    const next = completions.shift();
    if (!next) throw new Error('The recorded history waits on nothing');
    clock = new Date(Math.max(clock.getTime(), next.notBefore.getTime()));
    incoming = [next.event(clock)];
  }

  for (let episode = 1; episode <= (options.maxEpisodes ?? 500); episode += 1) {
    const events = [...past.map((e) => ({ ...e, IsPlayed: true })), history.orchestratorStarted(clock), ...incoming];
    const context = new InvocationContext({ functionName: options.name, invocationId: `episode-${episode}`, logHandler: () => undefined });
    const done = (runtimeStatus: ReplayResult['runtimeStatus'], output: unknown, error: string | null): ReplayResult => ({
      runtimeStatus,
      output,
      error,
      scheduled,
      customStatuses,
      episodes: episode,
      history: past,
    });
    let state: OrchestratorState;
    try {
      state = (await handler(orchestrationTrigger(options.instanceId, options.input, events), context)) as OrchestratorState;
    } catch (error) {
      // The extension checks the actions of a failed episode against the history too, and that comes first.
      return done('Failed', null, firstMismatch(failedActions(error), expected) ?? failureOf(error));
    }
    past.push(history.orchestratorStarted(clock), ...incoming);
    incoming = [];
    if (state.customStatus !== undefined) customStatuses.push(state.customStatus);

    const actions = (state.actions.flat() ?? []) as Action[];
    const mismatch = firstMismatch(actions, expected);
    if (mismatch !== null) return done('Failed', null, mismatch);
    actions.slice(0, seenActions.length).forEach((action, index) => {
      if (index >= expected.length && JSON.stringify(action) !== seenActions[index]) {
        throw new Error(`Non-deterministic replay in episode ${episode}: action ${index} changed`);
      }
    });
    // Actions a recorded history already holds are matched above, not scheduled again.
    while (seenActions.length < Math.min(actions.length, expected.length)) seenActions.push(JSON.stringify(actions[seenActions.length]));
    for (const action of actions.slice(seenActions.length)) {
      seenActions.push(JSON.stringify(action));
      const id = nextId++;
      if (action.actionType === CALL_ACTIVITY) {
        const name = action.functionName as SagaActivityName;
        const input = action.input;
        scheduled.push({ kind: 'activity', name, input, at: clock.toISOString() });
        past.push(history.taskScheduled(clock, id, name, input));
        completions.push({ event: await runFake(options.activities, name, input, nextCall(callCounts, name), id), notBefore: clock });
      } else if (action.actionType === CREATE_TIMER) {
        const fireAt = new Date(action.fireAt as string | Date);
        scheduled.push({ kind: 'timer', fireAt: fireAt.toISOString(), at: clock.toISOString() });
        past.push(history.timerCreated(clock, id, fireAt));
        completions.push({ event: (at) => history.timerFired(at, id, fireAt), notBefore: fireAt });
      } else {
        throw new Error(`Unexpected action type ${action.actionType}`);
      }
    }
    past.push(history.orchestratorCompleted(clock));

    if (state.isDone) return done('Completed', state.output ?? null, null);
    if (options.stopAfterEpisodes !== undefined && episode >= options.stopAfterEpisodes) return done('Running', null, null);
    const next = completions.shift();
    if (!next) throw new Error(`The orchestrator is waiting on nothing after episode ${episode}`);
    clock = new Date(Math.max(clock.getTime() + STEP_MS, next.notBefore.getTime()));
    incoming = [next.event(clock)];
  }
  throw new Error('The orchestration did not finish');
}

function nextCall(callCounts: Map<string, number>, name: string): number {
  const call = (callCounts.get(name) ?? 0) + 1;
  callCounts.set(name, call);
  return call;
}

/** The actions a recorded history was made by, in the order their scheduling events were written. */
function recordedActions(recorded: readonly HistoryEvent[]): ExpectedAction[] {
  return recorded.flatMap((e): ExpectedAction[] => {
    if (e.EventType === EventType.TaskScheduled) return [{ actionType: CALL_ACTIVITY, functionName: String(e.Name) }];
    if (e.EventType === EventType.TimerCreated) return [{ actionType: CREATE_TIMER }];
    return [];
  });
}

/**
 * As the Durable extension checks a replay: the action in each recorded place must be of the same kind and,
 * for an activity, name the same function. Its message, for a mismatch, is the extension's.
 */
function firstMismatch(actions: readonly Action[], expected: readonly ExpectedAction[]): string | null {
  for (const [index, want] of expected.entries()) {
    const got = actions[index];
    if (got === undefined) return null;
    if (got.actionType !== want.actionType || (want.functionName !== undefined && got.functionName !== want.functionName)) {
      const recorded = want.actionType === CALL_ACTIVITY ? `TaskScheduledEvent ${want.functionName}` : 'TimerCreatedEvent';
      return `Non-Deterministic workflow detected: ${recorded} at position ${index} was replayed as ${got.functionName ?? `action type ${got.actionType}`}`;
    }
  }
  return null;
}

/** The completions a recorded history still waits for, in the order they were scheduled. */
async function pendingCompletions(recorded: readonly HistoryEvent[], activities: FakeActivities, callCounts: Map<string, number>): Promise<Completion[]> {
  const answered = new Set(
    recorded.flatMap((e) =>
      e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed
        ? [Number(e.TaskScheduledId)]
        : e.EventType === EventType.TimerFired
          ? [Number(e.TimerId)]
          : [],
    ),
  );
  const pending: Completion[] = [];
  for (const e of recorded) {
    if (e.EventType === EventType.TaskScheduled) nextCall(callCounts, String(e.Name));
    if (answered.has(e.EventId)) continue;
    if (e.EventType === EventType.TaskScheduled) {
      const name = String(e.Name) as SagaActivityName;
      const input: unknown = e.Input === null ? undefined : JSON.parse(String(e.Input));
      pending.push({ event: await runFake(activities, name, input, callCounts.get(name) ?? 1, e.EventId), notBefore: new Date(String(e.Timestamp)) });
    } else if (e.EventType === EventType.TimerCreated) {
      const fireAt = new Date(String(e.FireAt));
      const id = e.EventId;
      pending.push({ event: (at) => history.timerFired(at, id, fireAt), notBefore: fireAt });
    }
  }
  return pending;
}

async function runFake(
  activities: FakeActivities,
  name: SagaActivityName,
  input: unknown,
  call: number,
  id: number,
): Promise<(at: Date) => HistoryEvent> {
  const fake = activities[name] as ((input: unknown, call: number) => unknown) | undefined;
  if (!fake) throw new Error(`No fake for activity ${name}`);
  try {
    // Through JSON, as the activity would receive it from the host.
    const result: unknown = await fake(JSON.parse(JSON.stringify(input)) as unknown, call);
    return (at) => history.taskCompleted(at, id, result);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return (at) => history.taskFailed(at, id, name, failure);
  }
}

/** The actions an orchestrator that threw had scheduled, from the state its failure carries. */
function failedActions(error: unknown): Action[] {
  const message = error instanceof Error ? error.message : String(error);
  const marker = '$OutOfProcData$:';
  const at = message.indexOf(marker);
  if (at < 0) return [];
  const state = JSON.parse(message.slice(at + marker.length)) as { actions?: unknown[][] };
  return (state.actions ?? []).flat() as Action[];
}

/** An orchestrator failure carries its state after `$OutOfProcData$:`; the state's `error` is the message. */
function failureOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const marker = '$OutOfProcData$:';
  const at = message.indexOf(marker);
  if (at < 0) return message;
  const state = JSON.parse(message.slice(at + marker.length)) as { error?: string };
  return state.error ?? message;
}
