/**
 * The orchestration trigger value of one episode (EXT Bindings/OrchestrationTriggerAttributeBindingProvider.cs,
 * protocol doc §2). The worker JSON-parses it and DF's Orchestrator checks the required fields.
 */
import type { HistoryEvent } from './history';
import type { InstanceRecord } from './instance-store';
import { parseLenient } from './typed-data';

/**
 * Replay schema V3 (the newest the extension negotiates; V4 would only add entity locks). Long-timer
 * splitting is switched off with a 100-year "short timer": Azure splits timers because of storage-queue
 * visibility limits, which this host does not have, and a split timer would need the host to mirror DF's
 * sub-timer numbering as well.
 */
export const replaySettings = {
  upperSchemaVersion: 1,
  upperSchemaVersionNew: 2,
  longRunningTimerIntervalDuration: '3.00:00:00',
  maximumShortTimerDuration: '36500.00:00:00',
  defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
} as const;

export interface OrchestrationTriggerPayload {
  history: HistoryEvent[];
  input: unknown;
  instanceId: string;
  isReplaying: boolean;
  parentInstanceId: string | null;
  upperSchemaVersion: number;
  upperSchemaVersionNew: number;
  longRunningTimerIntervalDuration: string;
  maximumShortTimerDuration: string;
  defaultHttpAsyncRequestSleepTimeMillseconds: number;
}

/** `newEvents` starts with the episode's OrchestratorStarted; the stored history is already marked played. */
export function orchestrationTriggerPayload(record: InstanceRecord, newEvents: HistoryEvent[]): OrchestrationTriggerPayload {
  return {
    history: [...record.history, ...newEvents],
    input: parseLenient(record.input),
    instanceId: record.instanceId,
    isReplaying: false,
    parentInstanceId: record.parent?.instanceId ?? null,
    ...replaySettings,
  };
}
