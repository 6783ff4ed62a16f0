/**
 * Orchestration instances in memory: what the status API reports and what purge deletes. The runtime state
 * of a running execution (numbering, inbox, timers) lives with the runner, not here.
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

export interface InstanceQuery {
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  runtimeStatus?: RuntimeStatus[];
  instanceIdPrefix?: string;
}

export function matchesQuery(record: InstanceRecord, query: InstanceQuery): boolean {
  if (query.createdTimeFrom && record.createdTime < query.createdTimeFrom) return false;
  if (query.createdTimeTo && record.createdTime > query.createdTimeTo) return false;
  if (query.runtimeStatus && query.runtimeStatus.length > 0 && !query.runtimeStatus.includes(record.runtimeStatus)) return false;
  if (query.instanceIdPrefix !== undefined && !record.instanceId.startsWith(query.instanceIdPrefix)) return false;
  return true;
}

export interface InstancePage {
  records: InstanceRecord[];
  /** Opaque token for the next page, absent on the last one. */
  continuationToken?: string;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeToken(token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const offset = (parsed as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw new RangeError('The continuation token is not valid.');
}

export class InstanceStore {
  readonly #records = new Map<string, InstanceRecord>();

  get size(): number {
    return this.#records.size;
  }

  get(instanceId: string): InstanceRecord | undefined {
    return this.#records.get(instanceId);
  }

  /** Inserts or replaces (a terminal instance restarted under the same id is a new record). */
  put(record: InstanceRecord): void {
    this.#records.set(record.instanceId, record);
  }

  delete(instanceId: string): boolean {
    return this.#records.delete(instanceId);
  }

  all(): InstanceRecord[] {
    return [...this.#records.values()];
  }

  query(query: InstanceQuery): InstanceRecord[] {
    return this.all().filter((record) => matchesQuery(record, query));
  }

  /**
   * One page of a query, oldest first so that paging is stable while new instances arrive. `top`
   * undefined returns everything. Throws RangeError on a malformed token.
   */
  page(query: InstanceQuery, top: number | undefined, continuationToken: string | undefined): InstancePage {
    const matches = this.query(query).sort(
      (a, b) => a.createdTime.getTime() - b.createdTime.getTime() || a.instanceId.localeCompare(b.instanceId),
    );
    const offset = continuationToken ? decodeToken(continuationToken) : 0;
    if (top === undefined || top <= 0) return { records: matches.slice(offset) };
    const records = matches.slice(offset, offset + top);
    const next = offset + records.length;
    return next < matches.length ? { records, continuationToken: encodeToken(next) } : { records };
  }
}
