import { handleFulfillmentEvent } from '../../src/choreography/fulfillment-participant';
import { handleInventoryEvent } from '../../src/choreography/inventory-participant';
import { handleOrderEvent } from '../../src/choreography/order-participant';
import { handlePaymentEvent } from '../../src/choreography/payment-participant';
import type {
  FulfillmentOperations,
  InventoryOperations,
  PaymentOperations,
} from '../../src/choreography/participant-ports';
import { resumeSaga, type ResumeOutcome } from '../../src/choreography/resume-saga';
import { FORWARD_STEP_EVENTS } from '../../src/domain/choreography-saga';
import {
  TransientFault,
  businessFailure,
  succeeded,
  type AnySagaEvent,
  type SagaOrder,
  type StoredOrder,
} from '../../src/domain';
import { planDeliveries, type OutgoingMessage } from '../../src/messaging';
import type { QueueName } from '../../src/messaging/queues';
import type { PublishOptions } from '../../src/services/ports';
import { orderCreatedEvent } from '../../src/services/order-service';
import type { CompensationOutcome, EventPublisher } from '../../src/services/ports';
import { aStoredOrder } from '../data/builders';
import { Faults, InMemoryDecisions, InMemoryOrders, InMemorySagas, RecordingLog, sagaRecordsOver } from './fakes';
import { ORDER_ID } from './saga-events';

const MAX_DELIVERY_COUNT = 5;

/** A clock that moves one second on every reading, so any event rebuilt later would differ in `occurredAt`. */
export class TickingClock {
  private readonly start = Date.parse('2025-03-01T10:00:00.000Z');
  private ticks = 0;
  now(): Date {
    this.ticks += 1;
    return new Date(this.start + this.ticks * 1000);
  }
}

/**
 * The participants' effects, with the markers the real services leave: a release, refund or cancellation
 * that found nothing still blocks a late reservation, charge or shipment of the same order.
 */
export class Effects implements InventoryOperations, PaymentOperations, FulfillmentOperations {
  readonly holds = new Map<string, 'held' | 'released'>();
  readonly payments = new Map<string, 'Captured' | 'Declined' | 'Refunded'>();
  readonly shipments = new Map<string, 'Shipped' | 'Cancelled'>();
  readonly calls: string[] = [];
  readonly faults = { reserve: new Faults(), charge: new Faults(), fulfil: new Faults(), release: new Faults(), refund: new Faults(), cancel: new Faults() };

  async reserve(order: SagaOrder) {
    this.calls.push('reserve');
    this.faults.reserve.check();
    if (this.holds.get(order.orderId) === 'released') return businessFailure('The reservation was already released');
    this.holds.set(order.orderId, 'held');
    return succeeded({ items: order.items });
  }

  async release(order: SagaOrder): Promise<CompensationOutcome> {
    this.calls.push('release');
    this.faults.release.check();
    const held = this.holds.get(order.orderId) === 'held';
    this.holds.set(order.orderId, 'released');
    return held ? 'Compensated' : 'NothingToCompensate';
  }

  async charge(order: SagaOrder) {
    this.calls.push('charge');
    this.faults.charge.check();
    const status = this.payments.get(order.orderId) ?? 'Captured';
    this.payments.set(order.orderId, status);
    return status === 'Captured' ? succeeded({ transactionId: `txn-${order.orderId}` }) : businessFailure(`Payment is ${status}`);
  }

  async refund(order: SagaOrder): Promise<CompensationOutcome> {
    this.calls.push('refund');
    this.faults.refund.check();
    const status = this.payments.get(order.orderId);
    if (!status) this.payments.set(order.orderId, 'Declined');
    if (status !== 'Captured' && status !== 'Refunded') return 'NothingToCompensate';
    this.payments.set(order.orderId, 'Refunded');
    return 'Compensated';
  }

  async fulfil(order: SagaOrder) {
    this.calls.push('fulfil');
    this.faults.fulfil.check();
    if (order.shippingCountry === 'AQ') return businessFailure('Shipping to country "AQ" is not supported');
    const status = this.shipments.get(order.orderId) ?? 'Shipped';
    this.shipments.set(order.orderId, status);
    return status === 'Shipped' ? succeeded({ trackingNumber: `TRK-${order.orderId}` }) : businessFailure('Fulfilment was cancelled');
  }

  async cancel(order: SagaOrder): Promise<CompensationOutcome> {
    this.calls.push('cancel');
    this.faults.cancel.check();
    const shipped = this.shipments.get(order.orderId) === 'Shipped';
    this.shipments.set(order.orderId, 'Cancelled');
    return shipped ? 'Compensated' : 'NothingToCompensate';
  }
}

interface Queued {
  message: OutgoingMessage;
  deliveryCount: number;
}

export interface SendAttempt {
  queue: QueueName;
  messageId: string;
  body: string;
  outcome: 'sent' | 'failed' | 'dropped as a duplicate';
}

/**
 * A Service Bus stand-in for the four choreography queues: peek-lock with redelivery on a throw, the delivery
 * count, dead-lettering after MaxDeliveryCount, and duplicate detection by message id (on unless turned off).
 * A send to one queue can fail while the others of the same publish succeed, as with the real publishers.
 */
export class ChoreographyBus implements EventPublisher {
  readonly queues = new Map<QueueName, Queued[]>();
  readonly deadLetters = new Map<QueueName, Queued[]>();
  readonly attempts: SendAttempt[] = [];
  private readonly seen = new Map<QueueName, Set<string>>();
  duplicateDetection = true;
  /** Returns true to make this send fail. */
  failSend: (queue: QueueName, event: AnySagaEvent) => boolean = () => false;
  /** Runs before each delivery, to inject a fault into that delivery; what it returns runs after it. */
  beforeDelivery: (queue: QueueName, event: AnySagaEvent, deliveryCount: number) => (() => void) | void = () => {};

  /** Puts a copy of `event` at the head of `queue` under a message id of its own (a resubmitted or late copy). */
  deliverCopyFirst(queue: QueueName, event: AnySagaEvent, messageId: string): void {
    const [message] = planDeliveries([event]).get(queue) ?? [];
    if (!message) throw new Error(`${event.type} is not routed to ${queue}`);
    this.queues.set(queue, [{ message: { ...message, messageId }, deliveryCount: 1 }, ...(this.queues.get(queue) ?? [])]);
  }

  async publish(events: readonly AnySagaEvent[], options: PublishOptions = {}): Promise<void> {
    let failure: Error | null = null;
    for (const [queue, messages] of planDeliveries(events, options.resend)) {
      for (const message of messages) {
        const attempt = { queue, messageId: message.messageId, body: JSON.stringify(message.body) };
        if (this.failSend(queue, message.body as AnySagaEvent)) {
          this.attempts.push({ ...attempt, outcome: 'failed' });
          failure ??= new TransientFault(`Could not send to Service Bus queue "${queue}"`);
          break;
        }
        const seen = this.seen.get(queue) ?? new Set<string>();
        this.seen.set(queue, seen);
        if (this.duplicateDetection && seen.has(message.messageId)) {
          this.attempts.push({ ...attempt, outcome: 'dropped as a duplicate' });
          continue;
        }
        seen.add(message.messageId);
        this.attempts.push({ ...attempt, outcome: 'sent' });
        this.queues.set(queue, [...(this.queues.get(queue) ?? []), { message, deliveryCount: 1 }]);
      }
    }
    if (failure) throw failure;
  }

  /** Events that reached `queue`, in order (duplicates dropped by the broker excluded). */
  received(queue: QueueName): AnySagaEvent[] {
    return this.attempts.filter((a) => a.queue === queue && a.outcome === 'sent').map((a) => JSON.parse(a.body) as AnySagaEvent);
  }

  /** Every event type ever sent successfully, anywhere. */
  announcedTypes(): Set<string> {
    return new Set(this.attempts.filter((a) => a.outcome === 'sent').map((a) => (JSON.parse(a.body) as AnySagaEvent).type));
  }

  /** Message ids that were sent with more than one body: what duplicate detection would silently merge. */
  messageIdsWithDifferentBodies(): string[] {
    const bodies = new Map<string, Set<string>>();
    for (const { messageId, body } of this.attempts) bodies.set(messageId, (bodies.get(messageId) ?? new Set()).add(body));
    return [...bodies].filter(([, set]) => set.size > 1).map(([id]) => id);
  }

  /** Delivers until every queue is empty: round robin over the queues, a thrown message is redelivered at once. */
  async drain(handlers: Record<QueueName, ((delivery: Parameters<typeof handleOrderEvent>[1]) => Promise<void>) | undefined>): Promise<void> {
    for (let step = 0; step < 10_000; step += 1) {
      const queue = [...this.queues.keys()].find((name) => (this.queues.get(name)?.length ?? 0) > 0);
      if (!queue) return;
      const [next, ...rest] = this.queues.get(queue) ?? [];
      if (!next) return;
      this.queues.set(queue, rest);
      const handler = handlers[queue];
      if (!handler) throw new Error(`No participant listens on ${queue}`);
      const after = this.beforeDelivery(queue, next.message.body as AnySagaEvent, next.deliveryCount);
      try {
        await handler({ body: next.message.body, messageId: next.message.messageId, deliveryCount: next.deliveryCount, log: new RecordingLog() });
      } catch {
        const again = { ...next, deliveryCount: next.deliveryCount + 1 };
        if (again.deliveryCount > MAX_DELIVERY_COUNT) this.deadLetters.set(queue, [...(this.deadLetters.get(queue) ?? []), next]);
        else this.queues.set(queue, [again, ...(this.queues.get(queue) ?? [])]);
      } finally {
        after?.();
      }
      // Move the queue to the back, so the queues take turns.
      const waiting = this.queues.get(queue) ?? [];
      this.queues.delete(queue);
      this.queues.set(queue, waiting);
    }
    throw new Error('The queues never drained');
  }
}

/** The four participants over in-memory stores, wired to one bus. */
export function choreographyWorld(order: StoredOrder = aStoredOrder({ id: ORDER_ID, sagaStyle: 'choreography', status: 'Pending' })) {
  const orders = new InMemoryOrders(order);
  const sagas = new InMemorySagas();
  const decisions = new InMemoryDecisions();
  const effects = new Effects();
  const bus = new ChoreographyBus();
  const clock = new TickingClock();
  const pause = async () => {};
  const basics = { orders, decisions, publisher: bus, clock, pause };
  const orderDeps = { sagas, sagaRecords: sagaRecordsOver(orders, clock), publisher: bus, clock, pause };
  let resent = 0;

  const handlers = {
    'inventory-events': (delivery: Parameters<typeof handleOrderEvent>[1]) => handleInventoryEvent({ ...basics, inventory: effects }, delivery),
    'payment-events': (delivery: Parameters<typeof handleOrderEvent>[1]) => handlePaymentEvent({ ...basics, payment: effects }, delivery),
    'fulfillment-events': (delivery: Parameters<typeof handleOrderEvent>[1]) => handleFulfillmentEvent({ ...basics, fulfillment: effects }, delivery),
    'order-events': (delivery: Parameters<typeof handleOrderEvent>[1]) => handleOrderEvent(orderDeps, delivery),
    orders: undefined,
  };

  return {
    orders,
    sagas,
    decisions,
    effects,
    bus,
    order: () => orders.byId.get(order.id) as StoredOrder,
    saga: () => sagas.byId.get(order.id),
    place: () => bus.publish([orderCreatedEvent(order)]),
    run: () => bus.drain(handlers),
    resume: (trigger: 'stuck' | 'operator'): Promise<ResumeOutcome> =>
      resumeSaga({ orders, sagas, decisions, publisher: bus, clock, newResendTag: () => String((resent += 1)) }, order.id, trigger),
    /** What a consistent saga leaves behind, given how the order ended; empty when it holds. */
    violations(): string[] {
      const found: string[] = [];
      const { status } = orders.byId.get(order.id) as StoredOrder;
      const [hold, payment, shipment] = [effects.holds.get(order.id), effects.payments.get(order.id), effects.shipments.get(order.id)];
      if (status === 'Completed' && (hold !== 'held' || payment !== 'Captured' || shipment !== 'Shipped')) {
        found.push(`Completed with stock ${hold}, payment ${payment}, shipment ${shipment}`);
      }
      if (status === 'Cancelled' && (hold === 'held' || payment === 'Captured' || shipment === 'Shipped')) {
        found.push(`Cancelled with stock ${hold ?? 'never held'}, payment ${payment ?? 'none'}, shipment ${shipment ?? 'none'}`);
      }
      const announced = bus.announcedTypes();
      for (const [step, events] of Object.entries(FORWARD_STEP_EVENTS)) {
        if (announced.has(events.succeeded) && announced.has(events.failed)) found.push(`${step} announced both ${events.succeeded} and ${events.failed}`);
      }
      for (const id of bus.messageIdsWithDifferentBodies()) found.push(`message ${id} was sent with different bodies`);
      return found;
    },
  };
}
