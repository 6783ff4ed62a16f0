import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import { toSagaOrder, type StoredOrder } from '../domain';
import type { SagaRepository } from '../services/ports';
import { ORDER_SAGA_ORCHESTRATOR } from './order-saga-orchestrator';
import { orderSagaInput, type SagaContinuation } from './orchestrator-version';

/** The part of the durable client that starting a saga needs (a fake in tests). */
export type SagaStarterClient = Pick<DurableClient, 'getStatus' | 'startNew'>;

/** What the starters read to restart an instance from where its saga record stands. */
export interface SagaStarterStores {
  sagas: Pick<SagaRepository, 'get'>;
}

/**
 * `started`: a first instance; `restarted`: a new run under the same instance id, continuing the saga record;
 * `running`: an instance is live (or was started by someone else meanwhile); `finished`: the instance
 * completed and was left alone.
 */
export type SagaStartOutcome = 'started' | 'restarted' | 'running' | 'finished';

/** Runtime statuses of an instance that no longer runs and whose saga was cut short. */
const ENDED_EARLY = new Set(['Failed', 'Terminated', 'Canceled']);
const LIVE = new Set(['Running', 'Pending', 'ContinuedAsNew', 'Suspended']);

/** Whether an instance in this runtime status is still running (or about to): nothing may start over it. */
export function isLiveInstance(runtimeStatus: string): boolean {
  return LIVE.has(runtimeStatus);
}

export interface StartOptions {
  /** Also restart an instance that Completed (the order is not final, so its saga was reopened). */
  restartCompleted?: boolean;
  /** The trace the start belongs to: it rides in the orchestrator's input to every activity. */
  trace?: { traceparent?: string; tracestate?: string };
}

/**
 * Starts the order's orchestration under the order id, or restarts it when the instance ended Failed or
 * Terminated: a new run under the same id, whose input carries the stored saga record so the saga continues
 * rather than starting over (every activity is idempotent by order id). A redelivered OrderCreated, or two
 * deliveries racing, never start a second saga: a live instance, or a start the extension refuses because the
 * instance is live, count as running.
 * The instance's status is asked for first even when the order still reads Pending: the start's own 409 only
 * covers a live instance, and the extension lets a start replace one that Completed. A copy of OrderCreated
 * that read the order just before the first run finished would otherwise run the whole saga a second time.
 */
export async function startOrderSaga(
  client: SagaStarterClient,
  stores: SagaStarterStores,
  order: StoredOrder,
  correlationId: string,
  options: StartOptions = {},
): Promise<SagaStartOutcome> {
  const status = await instanceStatus(client, order.id);
  const sagaOrder = { ...toSagaOrder(order, correlationId), ...options.trace };
  let input = orderSagaInput(sagaOrder);
  let outcome: SagaStartOutcome = 'started';
  if (status !== null) {
    const runtimeStatus = String(status.runtimeStatus);
    if (isLiveInstance(runtimeStatus)) return 'running';
    if (!ENDED_EARLY.has(runtimeStatus) && !(runtimeStatus === 'Completed' && options.restartCompleted)) return 'finished';
    input = orderSagaInput(sagaOrder, await continuationOf(stores, order));
    outcome = 'restarted';
  }
  try {
    await client.startNew(ORDER_SAGA_ORCHESTRATOR, { instanceId: order.id, input });
    return outcome;
  } catch (error) {
    if (isAlreadyRunning(error)) return 'running';
    throw error;
  }
}

/** The saga record to continue from, with the payment the order shows; none when the saga never saved one. */
export async function continuationOf(stores: SagaStarterStores, order: StoredOrder): Promise<SagaContinuation | undefined> {
  const saga = await stores.sagas.get(order.id);
  if (!saga || saga.sagaStyle !== 'orchestration') return undefined;
  const payment = order.payment.status === 'Pending' ? null : { status: order.payment.status, transactionId: order.payment.transactionId };
  return { saga, payment };
}

/** The instance's status, or null when there is none. */
export async function instanceStatus(client: Pick<DurableClient, 'getStatus'>, instanceId: string): Promise<DurableOrchestrationStatus | null> {
  try {
    return await client.getStatus(instanceId, { showInput: false });
  } catch (error) {
    // durable-functions reports an unknown instance by throwing on the extension's 404.
    if (messageOf(error).includes('HTTP 404')) return null;
    throw error;
  }
}

function isAlreadyRunning(error: unknown): boolean {
  const message = messageOf(error);
  return /status code: 409\b/.test(message) || /already exists/i.test(message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
