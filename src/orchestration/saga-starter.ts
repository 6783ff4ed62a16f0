import type { DurableClient } from 'durable-functions';
import type { SagaOrder } from '../domain';
import { ORDER_SAGA_ORCHESTRATOR } from './order-saga-orchestrator';

/** The part of the durable client that starting a saga needs (a fake in tests). */
export type SagaStarterClient = Pick<DurableClient, 'getStatus' | 'startNew'>;

export type SagaStartOutcome = 'started' | 'already-started';

/**
 * Starts the order's orchestration under the order id, once. A redelivered OrderCreated, or two deliveries
 * racing, must not start a second saga: an existing instance, or a start the extension refuses because the
 * instance exists, both count as already started.
 */
export async function startOrderSaga(client: SagaStarterClient, order: SagaOrder): Promise<SagaStartOutcome> {
  if (await instanceExists(client, order.orderId)) return 'already-started';
  try {
    await client.startNew(ORDER_SAGA_ORCHESTRATOR, { instanceId: order.orderId, input: order });
    return 'started';
  } catch (error) {
    if (isAlreadyExists(error)) return 'already-started';
    throw error;
  }
}

async function instanceExists(client: SagaStarterClient, instanceId: string): Promise<boolean> {
  try {
    await client.getStatus(instanceId);
    return true;
  } catch (error) {
    // durable-functions reports an unknown instance by throwing on the extension's 404.
    if (messageOf(error).includes('HTTP 404')) return false;
    throw error;
  }
}

function isAlreadyExists(error: unknown): boolean {
  const message = messageOf(error);
  return /status code: 409\b/.test(message) || /already exists/i.test(message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
