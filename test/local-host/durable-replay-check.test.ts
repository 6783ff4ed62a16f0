/** The non-determinism check on its own: recorded actions against a replay's actions. */
import { describe, expect, it } from 'vitest';
import { ActionType, type OrchestratorAction } from '../../src/local-host/durable/actions';
import { recordOf, replayMismatch, type RecordedAction } from '../../src/local-host/durable/replay-check';

const activity = (name: string): OrchestratorAction => ({ actionType: ActionType.CallActivity, functionName: name });
const withRetry = (name: string): OrchestratorAction => ({ actionType: ActionType.CallActivityWithRetry, functionName: name, retryOptions: {} });
const sub = (name: string): OrchestratorAction => ({ actionType: ActionType.CallSubOrchestrator, functionName: name });
const timer: OrchestratorAction = { actionType: ActionType.CreateTimer, fireAt: '2030-01-01T00:00:00Z', isCanceled: false };
const wait: OrchestratorAction = { actionType: ActionType.WaitForExternalEvent, externalEventName: 'go' };

function record(...actions: OrchestratorAction[]): RecordedAction[] {
  return actions.map((action, i) => recordOf(action, i, action.actionType === ActionType.CallSubOrchestrator ? `parent:${i}` : undefined)).filter((r): r is RecordedAction => r !== undefined);
}

describe('replay check', () => {
  it('accepts the same actions, more of them, waits in between, a retry policy and another letter case', () => {
    const recorded = record(activity('Reserve'), timer, sub('Child'));
    expect(replayMismatch(recorded, [activity('Reserve'), timer, sub('Child')])).toBeUndefined();
    expect(replayMismatch(recorded, [wait, withRetry('reserve'), timer, wait, sub('Child'), activity('Next')])).toBeUndefined();
    expect(replayMismatch([], [activity('Anything')])).toBeUndefined();
  });

  it('names a renamed sub-orchestration with its instance id', () => {
    expect(replayMismatch(record(activity('A'), sub('Child')), [activity('A'), sub('Other')])).toBe(
      "Non-Deterministic workflow detected: A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID 1 and name 'Child' (version '', instance ID 'parent:1'), but the current orchestration replay instead scheduled a sub-orchestration task with name Other at this sequence number. Was a change made to the orchestrator code after this instance had already started running?",
    );
  });

  it('reports a timer that the replay no longer creates, or that became an activity', () => {
    expect(replayMismatch(record(timer), [wait])).toContain(
      "Non-Deterministic workflow detected: A previous execution of this orchestration scheduled a timer task with sequence number 0 but the current replay execution hasn't (yet?) scheduled this task.",
    );
    expect(replayMismatch(record(timer), [activity('A')])).toContain('instead produced a ScheduleTaskOrchestratorAction action with this sequence number');
  });

  it('reports a sub-orchestration replaced by an activity', () => {
    expect(replayMismatch(record(sub('Child')), [activity('Child')])).toContain(
      "scheduled a sub-orchestration task with sequence ID 0 and name 'Child' (version '', instance ID 'parent:0'), but the current orchestration replay instead produced a ScheduleTaskOrchestratorAction action at this sequence number.",
    );
  });
});
