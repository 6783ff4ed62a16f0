/**
 * The Durable extension's non-determinism check (DTFx TaskOrchestrationContext.HandleTaskScheduledEvent and
 * friends): every task the history records must be produced again, at the same position, by the replay,
 * with the same kind and name. A replay that differs fails the instance with DTFx's own message. Only the
 * actions that leave an event in history take part (activities, sub-orchestrations, timers), as in DTFx.
 */
import { ActionType, type OrchestratorAction } from './actions';

export type RecordedKind = 'activity' | 'subOrchestration' | 'timer';

/** An action as the history recorded it (TaskScheduled, SubOrchestrationInstanceCreated, TimerCreated). */
export interface RecordedAction {
  kind: RecordedKind;
  taskId: number;
  name: string;
  instanceId?: string;
  version?: string;
}

export const nonDeterminismPrefix = 'Non-Deterministic workflow detected: ';
const changed = 'Was a change made to the orchestrator code after this instance had already started running?';

function kindOf(action: OrchestratorAction): RecordedKind | undefined {
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      return 'activity';
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      return 'subOrchestration';
    case ActionType.CreateTimer:
      return 'timer';
    default:
      return undefined;
  }
}

/** The DTFx action class a replayed action maps to, as DTFx names it in the message. */
function dtfxActionName(kind: RecordedKind): string {
  if (kind === 'activity') return 'ScheduleTaskOrchestratorAction';
  if (kind === 'timer') return 'CreateTimerOrchestratorAction';
  return 'CreateSubOrchestrationAction';
}

function missing(recorded: RecordedAction): string {
  const { taskId, name } = recorded;
  switch (recorded.kind) {
    case 'activity':
      return `A previous execution of this orchestration scheduled an activity task with sequence ID ${taskId} and name '${name}' (version '${recorded.version ?? ''}'), but the current replay execution hasn't (yet?) scheduled this task. ${changed}`;
    case 'timer':
      return `A previous execution of this orchestration scheduled a timer task with sequence number ${taskId} but the current replay execution hasn't (yet?) scheduled this task. ${changed}`;
    case 'subOrchestration':
      return `A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID ${taskId} and name '${name}' (version '${recorded.version ?? ''}', instance ID '${recorded.instanceId ?? ''}'), but the current replay execution hasn't (yet?) scheduled this task. ${changed}`;
  }
}

function otherKind(recorded: RecordedAction, replayed: RecordedKind): string {
  const { taskId, name } = recorded;
  const produced = dtfxActionName(replayed);
  switch (recorded.kind) {
    case 'activity':
      return `A previous execution of this orchestration scheduled an activity task with sequence number ${taskId} named '${name}', but the current orchestration replay instead produced a ${produced} action with this sequence number. ${changed}`;
    case 'timer':
      return `A previous execution of this orchestration scheduled a timer task with sequence number ${taskId} named but the current orchestration replay instead produced a ${produced} action with this sequence number. ${changed}`;
    case 'subOrchestration':
      return `A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID ${taskId} and name '${name}' (version '${recorded.version ?? ''}', instance ID '${recorded.instanceId ?? ''}'), but the current orchestration replay instead produced a ${produced} action at this sequence number. ${changed}`;
  }
}

function otherName(recorded: RecordedAction, replayedName: string): string {
  const { taskId, name } = recorded;
  if (recorded.kind === 'activity') {
    return `A previous execution of this orchestration scheduled an activity task with sequence number ${taskId} named '${name}', but the current orchestration replay instead scheduled an activity task named '${replayedName}' with this sequence number.  ${changed}`;
  }
  return `A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID ${taskId} and name '${name}' (version '${recorded.version ?? ''}', instance ID '${recorded.instanceId ?? ''}'), but the current orchestration replay instead scheduled a sub-orchestration task with name ${replayedName} at this sequence number. ${changed}`;
}

/** What history records for an action, or undefined for one that records nothing (waits, continue-as-new). */
export function recordOf(action: OrchestratorAction, taskId: number, instanceId?: string): RecordedAction | undefined {
  const kind = kindOf(action);
  if (!kind) return undefined;
  const recorded: RecordedAction = { kind, taskId, name: kind === 'timer' ? '' : String(action.functionName ?? '') };
  if (kind === 'subOrchestration' && instanceId !== undefined) recorded.instanceId = instanceId;
  if (typeof action.version === 'string' && action.version) recorded.version = action.version;
  return recorded;
}

/**
 * Compares the replay's actions (cumulative, in DF's order) with what history recorded. Returns the
 * failure message, prefixed as DTFx's NonDeterministicOrchestrationException does, or undefined.
 */
export function replayMismatch(recorded: readonly RecordedAction[], actions: readonly OrchestratorAction[]): string | undefined {
  const replayed = actions.filter((action) => kindOf(action) !== undefined);
  for (let i = 0; i < recorded.length; i++) {
    const expected = recorded[i] as RecordedAction;
    const action = replayed[i];
    if (!action) return nonDeterminismPrefix + missing(expected);
    const kind = kindOf(action) as RecordedKind;
    if (kind !== expected.kind) return nonDeterminismPrefix + otherKind(expected, kind);
    const name = String(action.functionName ?? '');
    if (kind !== 'timer' && name.toLowerCase() !== expected.name.toLowerCase()) return nonDeterminismPrefix + otherName(expected, name);
  }
  return undefined;
}
