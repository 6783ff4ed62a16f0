/**
 * Durable Task history events as the Durable extension sends them to a JavaScript orchestrator
 * (PascalCase fields, integer EventType; see docs/durable-host-protocol.md §3).
 */
export type HistoryEvent = Record<string, unknown> & { EventType: number; EventId: number; IsPlayed: boolean; Timestamp: string };

export const EventType = {
  ExecutionStarted: 0,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
} as const;

function event(type: number, timestamp: Date, fields: Record<string, unknown> = {}, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: timestamp.toISOString(), ...fields };
}

export const history = {
  orchestratorStarted: (at: Date) => event(EventType.OrchestratorStarted, at),
  orchestratorCompleted: (at: Date) => event(EventType.OrchestratorCompleted, at),
  executionStarted: (at: Date, name: string, instanceId: string, input: unknown) =>
    event(EventType.ExecutionStarted, at, {
      OrchestrationInstance: { InstanceId: instanceId, ExecutionId: `${instanceId}-execution` },
      ParentInstance: null,
      Name: name,
      Version: '',
      Input: JSON.stringify(input),
      Tags: null,
      Correlation: null,
      ScheduledStartTime: null,
      Generation: 0,
    }),
  taskScheduled: (at: Date, id: number, name: string, input: unknown) =>
    event(EventType.TaskScheduled, at, { Name: name, Version: '', Input: input === undefined ? null : JSON.stringify(input) }, id),
  taskCompleted: (at: Date, scheduledId: number, result: unknown) =>
    event(EventType.TaskCompleted, at, { TaskScheduledId: scheduledId, Result: result === undefined ? null : JSON.stringify(result) }),
  /** As the extension reports an activity that threw: the message in Reason, the stack in Details. */
  taskFailed: (at: Date, scheduledId: number, name: string, error: Error) =>
    event(EventType.TaskFailed, at, {
      TaskScheduledId: scheduledId,
      Reason: `Activity function '${name}' failed: ${error.message}`,
      Details: error.stack ?? '',
    }),
  timerCreated: (at: Date, id: number, fireAt: Date) => event(EventType.TimerCreated, at, { FireAt: fireAt.toISOString() }, id),
  timerFired: (at: Date, timerId: number, fireAt: Date) =>
    event(EventType.TimerFired, at, { TimerId: timerId, FireAt: fireAt.toISOString() }),
};

/** The orchestration trigger payload (protocol §2); schema V2, no long-timer splitting for short waits. */
export function orchestrationTrigger(instanceId: string, input: unknown, events: readonly HistoryEvent[]): Record<string, unknown> {
  return {
    history: events.map((e) => ({ ...e })),
    input,
    instanceId,
    isReplaying: false,
    parentInstanceId: null,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: '3.00:00:00',
    maximumShortTimerDuration: '6.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
}
