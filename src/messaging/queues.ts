/**
 * Every Service Bus entity the app uses, in one place: the emulator only knows the entities declared in
 * servicebus/Config.json, and a test checks that file against this list.
 */

/** OrderCreated of orchestration-style orders; its trigger starts the orchestrator. */
export const ORDERS_QUEUE = 'orders';

/*
 * Choreography uses one queue per participant instead of a topic with subscriptions, because topic
 * triggers never fire against the Service Bus emulator (azure-service-bus-emulator-installer #115).
 * The publisher fans an event out by sending it to each interested participant's queue.
 */
export const INVENTORY_EVENTS_QUEUE = 'inventory-events';
export const PAYMENT_EVENTS_QUEUE = 'payment-events';
export const FULFILLMENT_EVENTS_QUEUE = 'fulfillment-events';
/** The order's own status tracker listens here. */
export const ORDER_EVENTS_QUEUE = 'order-events';

export const CHOREOGRAPHY_QUEUES = [
  INVENTORY_EVENTS_QUEUE,
  PAYMENT_EVENTS_QUEUE,
  FULFILLMENT_EVENTS_QUEUE,
  ORDER_EVENTS_QUEUE,
] as const;

export const ALL_QUEUES = [ORDERS_QUEUE, ...CHOREOGRAPHY_QUEUES] as const;

export type QueueName = (typeof ALL_QUEUES)[number];
