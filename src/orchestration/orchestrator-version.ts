import { OrderSagaSchema, type OrderSaga, type SagaOrder } from '../domain';
import { RETRY_POLICIES_V1, type OrchestrationRetryPolicies } from './retry-policies';
import type { SagaPayment } from './saga-activities';

/*
 * Versioning rule. An instance in flight is replayed by whatever code is deployed when its next event
 * arrives, against the history it recorded. A change that makes an existing history replay different
 * actions (another activity, another order, one call more or fewer, another number of retry attempts) is
 * breaking: the extension fails such an instance ("Non-Deterministic workflow detected").
 * So every instance carries the version it was started with in its input, and:
 *   1. a breaking change raises ORCHESTRATOR_VERSION and is written as a branch on `version`, the old path
 *      kept as it was (retry policies included: they are looked up by version);
 *   2. a branch for an old version is removed only once no instance of that version is Running or Pending
 *      (list them with the Durable HTTP API: `runtimeStatus=Running,Pending`, then read `input.version`);
 *   3. a test replays a recorded history of every version still supported (test/orchestrator/recorded).
 * Non-breaking, no new version: what an activity does inside, log lines, the custom status, the saga
 * record's content, and anything after the last action of every path.
 * Version 1 took the bare SagaOrder as its input. Version 2 wraps it, and may carry the saga record to
 * continue from (a restart of a Failed or Terminated instance, or an operator resuming a saga); without
 * one it schedules exactly what version 1 did, so both are played by the same code.
 * Version 3 (same input as 2) saves the saga record inside the step or compensation that follows each
 * transition, instead of in a SaveSagaState activity before it; only the final save remains its own activity.
 */
export const ORCHESTRATOR_VERSION = 3;

export type OrchestratorVersion = 1 | 2 | 3;

/** Where a restarted instance picks up: the stored saga record and the payment the order shows. */
export interface SagaContinuation {
  saga: OrderSaga;
  payment: SagaPayment | null;
}

/** The input of a version 2 or 3 instance. */
export interface OrderSagaInput {
  version: number;
  order: SagaOrder;
  continueFrom?: SagaContinuation;
}

export interface ReadSagaInput {
  version: OrchestratorVersion;
  order: SagaOrder;
  continueFrom: SagaContinuation | null;
  retry: OrchestrationRetryPolicies;
}

const RETRY_BY_VERSION: Record<OrchestratorVersion, OrchestrationRetryPolicies> = { 1: RETRY_POLICIES_V1, 2: RETRY_POLICIES_V1, 3: RETRY_POLICIES_V1 };

/** The input a starter gives a new (or restarted) instance of the current version. */
export function orderSagaInput(order: SagaOrder, continueFrom?: SagaContinuation): OrderSagaInput {
  return continueFrom ? { version: ORCHESTRATOR_VERSION, order, continueFrom } : { version: ORCHESTRATOR_VERSION, order };
}

/** Reads an instance's input of any supported version; an input of no known shape is refused. */
export function readSagaInput(input: unknown): ReadSagaInput | string {
  if (isSagaOrder(input)) return { version: 1, order: input, continueFrom: null, retry: RETRY_BY_VERSION[1] };
  const candidate = (typeof input === 'object' && input !== null ? input : {}) as Partial<OrderSagaInput>;
  if (candidate.version === undefined) return 'needs a SagaOrder (version 1) or an OrderSagaInput as its input';
  const version = candidate.version;
  if (version !== 2 && version !== 3) return `cannot run version ${String(version)} (this code runs versions 1 to ${ORCHESTRATOR_VERSION})`;
  if (!isSagaOrder(candidate.order)) return 'needs a SagaOrder as its input';
  let continueFrom: SagaContinuation | null = null;
  if (candidate.continueFrom !== undefined) {
    const saga = OrderSagaSchema.safeParse(candidate.continueFrom.saga);
    if (!saga.success || saga.data.orderId !== candidate.order.orderId) return 'was given a saga record of another order, or none';
    continueFrom = { saga: saga.data, payment: candidate.continueFrom.payment ?? null };
  }
  return { version, order: candidate.order, continueFrom, retry: RETRY_BY_VERSION[version] };
}

function isSagaOrder(value: unknown): value is SagaOrder {
  if (typeof value !== 'object' || value === null) return false;
  const order = value as Partial<SagaOrder>;
  return typeof order.orderId === 'string' && Array.isArray(order.items);
}
