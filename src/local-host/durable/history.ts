/**
 * DTFx history events as the out-of-process protocol carries them: PascalCase fields and an integer
 * EventType (DTFx History/EventType.cs). DF only reads a few of them; the rest keep the history readable
 * through `showHistory`.
 */
import { toHistoryTimestamp } from './time-format';

export enum EventType {
  ExecutionStarted = 0,
  ExecutionCompleted = 1,
  ExecutionFailed = 2,
  ExecutionTerminated = 3,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventSent = 14,
  EventRaised = 15,
  ContinueAsNew = 16,
  GenericEvent = 17,
  HistoryState = 18,
  ExecutionSuspended = 19,
  ExecutionResumed = 20,
  ExecutionRewound = 21,
}

/** DTFx OrchestrationStatus, as written into ExecutionCompleted. */
export enum OrchestrationStatusCode {
  Running = 0,
  Completed = 1,
  ContinuedAsNew = 2,
  Failed = 3,
  Canceled = 4,
  Terminated = 5,
  Pending = 6,
  Suspended = 7,
}

export interface HistoryEvent {
  EventType: EventType;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

/** DTFx FailureDetails; DF turns it into a TaskFailedError. */
export interface FailureDetailsPayload {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string | null;
  InnerFailure?: FailureDetailsPayload | null;
  IsNonRetriable?: boolean;
  Properties?: Record<string, unknown> | null;
}

/** What a failed activity or sub-orchestration reports (TaskFailed / SubOrchestrationInstanceFailed). */
export interface TaskFailure {
  reason: string;
  details: string;
  failureDetails?: FailureDetailsPayload;
}

export interface ParentLink {
  instanceId: string;
  executionId: string;
  name: string;
  /** The parent's task id for the SubOrchestrationInstanceCreated event. */
  taskId: number;
}

function base(type: EventType, at: Date, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: toHistoryTimestamp(at) };
}

function failureFields(failure: TaskFailure): Record<string, unknown> {
  const fields: Record<string, unknown> = { Reason: failure.reason, Details: failure.details };
  if (failure.failureDetails) fields.FailureDetails = failure.failureDetails;
  return fields;
}

export const history = {
  orchestratorStarted: (at: Date): HistoryEvent => base(EventType.OrchestratorStarted, at),
  orchestratorCompleted: (at: Date): HistoryEvent => base(EventType.OrchestratorCompleted, at),

  executionStarted(
    at: Date,
    start: { instanceId: string; executionId: string; name: string; version: string | null; input: string | null; parent?: ParentLink; generation: number },
  ): HistoryEvent {
    return {
      ...base(EventType.ExecutionStarted, at),
      OrchestrationInstance: { InstanceId: start.instanceId, ExecutionId: start.executionId },
      ParentInstance: start.parent
        ? {
            Name: start.parent.name,
            OrchestrationInstance: { InstanceId: start.parent.instanceId, ExecutionId: start.parent.executionId },
            TaskScheduleId: start.parent.taskId,
          }
        : null,
      Name: start.name,
      Version: start.version ?? '',
      Input: start.input,
      Tags: null,
      Correlation: null,
      ScheduledStartTime: null,
      Generation: start.generation,
    };
  },

  executionCompleted(at: Date, status: OrchestrationStatusCode, result: string | null, failureDetails?: FailureDetailsPayload): HistoryEvent {
    return { ...base(EventType.ExecutionCompleted, at), OrchestrationStatus: status, Result: result, FailureDetails: failureDetails ?? null };
  },

  executionTerminated: (at: Date, reason: string): HistoryEvent => ({ ...base(EventType.ExecutionTerminated, at), Input: reason }),
  executionSuspended: (at: Date, reason: string | null): HistoryEvent => ({ ...base(EventType.ExecutionSuspended, at), Reason: reason }),
  executionResumed: (at: Date, reason: string | null): HistoryEvent => ({ ...base(EventType.ExecutionResumed, at), Reason: reason }),

  taskScheduled: (at: Date, id: number, name: string, input: string | null): HistoryEvent => ({
    ...base(EventType.TaskScheduled, at, id),
    Name: name,
    Version: '',
    Input: input,
  }),
  taskCompleted: (at: Date, scheduledId: number, result: string | null): HistoryEvent => ({
    ...base(EventType.TaskCompleted, at),
    TaskScheduledId: scheduledId,
    Result: result,
  }),
  taskFailed: (at: Date, scheduledId: number, failure: TaskFailure): HistoryEvent => ({
    ...base(EventType.TaskFailed, at),
    TaskScheduledId: scheduledId,
    ...failureFields(failure),
  }),

  subOrchestrationCreated: (at: Date, id: number, name: string, instanceId: string, input: string | null): HistoryEvent => ({
    ...base(EventType.SubOrchestrationInstanceCreated, at, id),
    Name: name,
    Version: '',
    InstanceId: instanceId,
    Input: input,
  }),
  subOrchestrationCompleted: (at: Date, scheduledId: number, result: string | null): HistoryEvent => ({
    ...base(EventType.SubOrchestrationInstanceCompleted, at),
    TaskScheduledId: scheduledId,
    Result: result,
  }),
  subOrchestrationFailed: (at: Date, scheduledId: number, failure: TaskFailure): HistoryEvent => ({
    ...base(EventType.SubOrchestrationInstanceFailed, at),
    TaskScheduledId: scheduledId,
    ...failureFields(failure),
  }),

  timerCreated: (at: Date, id: number, fireAt: Date): HistoryEvent => ({
    ...base(EventType.TimerCreated, at, id),
    FireAt: toHistoryTimestamp(fireAt),
  }),
  timerFired: (at: Date, timerId: number, fireAt: Date): HistoryEvent => ({
    ...base(EventType.TimerFired, at),
    TimerId: timerId,
    FireAt: toHistoryTimestamp(fireAt),
  }),

  /** `input` is the raw JSON body of the raise-event request, or null. */
  eventRaised: (at: Date, name: string, input: string | null): HistoryEvent => ({
    ...base(EventType.EventRaised, at),
    Name: name,
    Input: input,
  }),
};
