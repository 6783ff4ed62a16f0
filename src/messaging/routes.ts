import type { AnySagaEvent, EventType, SagaStyle } from '../domain';
import { sagaStyleOf } from './envelope';
import {
  FULFILLMENT_EVENTS_QUEUE,
  INVENTORY_EVENTS_QUEUE,
  ORDER_EVENTS_QUEUE,
  ORDERS_QUEUE,
  PAYMENT_EVENTS_QUEUE,
  type QueueName,
} from './queues';

/** Where an event goes; OrderCreated alone depends on the order's saga style. */
export type Route = readonly QueueName[] | { readonly bySagaStyle: Readonly<Record<SagaStyle, readonly QueueName[]>> };

/**
 * Who listens to what. Every event also goes to `order-events` so the order's status follows the saga;
 * the terminal events have no subscriber in this app, so they are not sent anywhere.
 */
export const EVENT_ROUTES: Readonly<Record<EventType, Route>> = {
  OrderCreated: {
    bySagaStyle: {
      orchestration: [ORDERS_QUEUE],
      choreography: [INVENTORY_EVENTS_QUEUE, ORDER_EVENTS_QUEUE],
    },
  },
  InventoryReserved: [PAYMENT_EVENTS_QUEUE, ORDER_EVENTS_QUEUE],
  InventoryReservationFailed: [INVENTORY_EVENTS_QUEUE, ORDER_EVENTS_QUEUE],
  PaymentCompleted: [FULFILLMENT_EVENTS_QUEUE, ORDER_EVENTS_QUEUE],
  PaymentFailed: [PAYMENT_EVENTS_QUEUE, ORDER_EVENTS_QUEUE],
  OrderFulfilled: [ORDER_EVENTS_QUEUE],
  FulfillmentFailed: [FULFILLMENT_EVENTS_QUEUE, ORDER_EVENTS_QUEUE],
  FulfillmentCancelled: [PAYMENT_EVENTS_QUEUE, ORDER_EVENTS_QUEUE],
  PaymentRefunded: [INVENTORY_EVENTS_QUEUE, ORDER_EVENTS_QUEUE],
  InventoryReleased: [ORDER_EVENTS_QUEUE],
  OrderCompleted: [],
  OrderCancelled: [],
  OrderFailed: [],
};

export function queuesFor(event: AnySagaEvent): readonly QueueName[] {
  const route = EVENT_ROUTES[event.type];
  if (!('bySagaStyle' in route)) return route;
  const style = sagaStyleOf(event);
  if (!style) throw new Error(`${event.type} is routed by saga style but does not carry one`);
  return route.bySagaStyle[style];
}
