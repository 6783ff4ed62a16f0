import { toSagaOrder, type AnySagaEvent, type SagaOrder, type StoredOrder } from '../domain';
import type { OrderRepository } from '../services/ports';

/**
 * Participants read the order by a point read rather than trusting a copy in the event, so every event
 * stays small and no participant ever calls another.
 */
export async function readSagaOrder(orders: Pick<OrderRepository, 'get'>, event: AnySagaEvent): Promise<SagaOrder> {
  return toSagaOrder(await readOrder(orders, event), event.correlationId);
}

/** The stored order `event` is about. */
export async function readOrder(orders: Pick<OrderRepository, 'get'>, event: AnySagaEvent): Promise<StoredOrder> {
  const order = await orders.get(event.orderId);
  // Thrown like a transient fault: the order is stored before its first event is published.
  if (!order) throw new Error(`Order ${event.orderId} does not exist`);
  return order;
}
