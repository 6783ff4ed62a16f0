import { InvocationContext } from '@azure/functions';
import type { OrchestrationHandler } from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import type { ActivityInput, ActivityOutput, SagaActivityName } from '../../../src/orchestration/saga-activities';
import { history, orchestrationTrigger, type HistoryEvent } from './history';

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
  runtimeStatus: 'Completed' | 'Failed';
  output: unknown;
  error: string | null;
  /** Everything the orchestrator scheduled, in order. */
  scheduled: Scheduled[];
  customStatuses: unknown[];
  episodes: number;
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

export async function replayOrchestration(options: {
  name: string;
  orchestrator: OrchestrationHandler;
  instanceId: string;
  input: unknown;
  activities: FakeActivities;
  startAt?: Date;
  maxEpisodes?: number;
}): Promise<ReplayResult> {
  const handler = createOrchestrator(options.orchestrator);
  let clock = options.startAt ?? new Date('2025-01-01T00:00:00.000Z');
  const past: HistoryEvent[] = [];
  let incoming: HistoryEvent[] = [history.executionStarted(clock, options.name, options.instanceId, options.input)];
  const completions: Array<{ event: (at: Date) => HistoryEvent; notBefore: Date }> = [];
  const scheduled: Scheduled[] = [];
  const seenActions: string[] = [];
  const customStatuses: unknown[] = [];
  const callCounts = new Map<string, number>();
  let nextId = 0;

  for (let episode = 1; episode <= (options.maxEpisodes ?? 500); episode += 1) {
    const events = [...past.map((e) => ({ ...e, IsPlayed: true })), history.orchestratorStarted(clock), ...incoming];
    const context = new InvocationContext({ functionName: options.name, invocationId: `episode-${episode}`, logHandler: () => undefined });
    let state: OrchestratorState;
    try {
      state = (await handler(orchestrationTrigger(options.instanceId, options.input, events), context)) as OrchestratorState;
    } catch (error) {
      return { runtimeStatus: 'Failed', output: null, error: failureOf(error), scheduled, customStatuses, episodes: episode };
    }
    past.push(history.orchestratorStarted(clock), ...incoming);
    incoming = [];
    if (state.customStatus !== undefined) customStatuses.push(state.customStatus);

    const actions = (state.actions[0] ?? []) as Action[];
    actions.slice(0, seenActions.length).forEach((action, index) => {
      if (JSON.stringify(action) !== seenActions[index]) {
        throw new Error(`Non-deterministic replay in episode ${episode}: action ${index} changed`);
      }
    });
    for (const action of actions.slice(seenActions.length)) {
      seenActions.push(JSON.stringify(action));
      const id = nextId++;
      if (action.actionType === CALL_ACTIVITY) {
        const name = action.functionName as SagaActivityName;
        const input = action.input;
        scheduled.push({ kind: 'activity', name, input, at: clock.toISOString() });
        past.push(history.taskScheduled(clock, id, name, input));
        const call = (callCounts.get(name) ?? 0) + 1;
        callCounts.set(name, call);
        completions.push({ event: await runFake(options.activities, name, input, call, id), notBefore: clock });
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

    if (state.isDone) {
      return { runtimeStatus: 'Completed', output: state.output ?? null, error: null, scheduled, customStatuses, episodes: episode };
    }
    const next = completions.shift();
    if (!next) throw new Error(`The orchestrator is waiting on nothing after episode ${episode}`);
    clock = new Date(Math.max(clock.getTime() + STEP_MS, next.notBefore.getTime()));
    incoming = [next.event(clock)];
  }
  throw new Error('The orchestration did not finish');
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

/** An orchestrator failure carries its state after `$OutOfProcData$:`; the state's `error` is the message. */
function failureOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const marker = '$OutOfProcData$:';
  const at = message.indexOf(marker);
  if (at < 0) return message;
  const state = JSON.parse(message.slice(at + marker.length)) as { error?: string };
  return state.error ?? message;
}
