/**
 * Orchestration instances: their states and the query the status API and purge filter with. The task hub
 * keeps them in SQLite (task-hub-store.ts); only running instances stay in the heap.
 */
import type { HistoryEvent, FailureDetailsPayload, ParentLink } from './history';

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Canceled' | 'Terminated' | 'Suspended';

export const runtimeStatuses: readonly RuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Canceled',
  'Terminated',
  'Suspended',
];

/** Completed, Failed, Terminated, Canceled: the states a new startNew may replace (EXT HttpApiHandler.IsCompletedStatus). */
export function isTerminal(status: RuntimeStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Terminated' || status === 'Canceled';
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  version: string | null;
  runtimeStatus: RuntimeStatus;
  /** The stored texts: JSON for input/customStatus and a completed output; a raw message for a failure or termination reason. */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  createdTime: Date;
  lastUpdatedTime: Date;
  executionId: string;
  /** continueAsNew count of this instance. */
  generation: number;
  /** The current execution's history. */
  history: HistoryEvent[];
  failureDetails?: FailureDetailsPayload;
  parent?: ParentLink;
}

/** An instance without its history: what the status API and listings need. */
export type InstanceSummary = Omit<InstanceRecord, 'history'>;

export interface InstanceQuery {
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  runtimeStatus?: RuntimeStatus[];
  instanceIdPrefix?: string;
}
