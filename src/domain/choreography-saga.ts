import { createEvent, eventIdFor, roundOf, type AnySagaEvent, type EventType, type SagaEvent } from './events';
import type { PaymentStatus } from './order';
import type { CompensationName, ForwardStepName, OrderSaga } from './saga';
import { ORDER_SAGA, compensationPlan } from './saga-definition';
import {
  finishSaga,
  orderStatusFor,
  recordCompensation,
  recordStepAttempt,
  recordStepFailed,
  recordStepSucceeded,
  startSaga,
} from './saga-record';

/**
 * The choreography has no orchestrator: the saga record is rebuilt from the events the participants
 * published. Events reach the order participant concurrently, late and sometimes twice, so the record is a
 * fold over the *set* of events in the saga's canonical order, never over their arrival order.
 */

interface ForwardStepEvents {
  /** The event the step's participant reacts to. */
  startedBy: EventType;
  succeeded: EventType;
  failed: 'InventoryReservationFailed' | 'PaymentFailed' | 'FulfillmentFailed';
}

export const FORWARD_STEP_EVENTS = {
  ReserveInventory: { startedBy: 'OrderCreated', succeeded: 'InventoryReserved', failed: 'InventoryReservationFailed' },
  ProcessPayment: { startedBy: 'InventoryReserved', succeeded: 'PaymentCompleted', failed: 'PaymentFailed' },
  FulfillOrder: { startedBy: 'PaymentCompleted', succeeded: 'OrderFulfilled', failed: 'FulfillmentFailed' },
} as const satisfies Record<ForwardStepName, ForwardStepEvents>;

export const COMPENSATION_EVENTS = {
  CancelFulfillment: 'FulfillmentCancelled',
  RefundPayment: 'PaymentRefunded',
  ReleaseInventory: 'InventoryReleased',
} as const satisfies Record<CompensationName, EventType>;

/** The events that announce the end of the whole saga; the record is built from everything else. */
export const SAGA_OUTCOME_EVENT_TYPES = ['OrderCompleted', 'OrderCancelled', 'OrderFailed'] as const;
export type SagaOutcomeEventType = (typeof SAGA_OUTCOME_EVENT_TYPES)[number];

export function isSagaOutcomeEvent(type: EventType): type is SagaOutcomeEventType {
  return (SAGA_OUTCOME_EVENT_TYPES as readonly EventType[]).includes(type);
}

function instant(iso: string): number {
  return Date.parse(iso);
}

type Occurrence = Pick<AnySagaEvent, 'id' | 'occurredAt'>;

function earlier(a: Occurrence, b: Occurrence): boolean {
  const difference = instant(a.occurredAt) - instant(b.occurredAt);
  return difference < 0 || (difference === 0 && a.id < b.id);
}

/**
 * The rounds an operator opened: a compensation that had failed for good runs again, and only an outcome of
 * that round (or a later one) counts. Absent means round 1.
 */
export type CompensationRounds = Partial<Record<CompensationName, number>>;

/**
 * One event per type: ids are derived from order and type, so two of a type are copies of one fact. A
 * compensation re-run by an operator is a new fact (a later round), which supersedes the earlier round.
 */
class SagaFacts {
  private readonly byType = new Map<EventType, AnySagaEvent>();

  constructor(orderId: string, events: readonly AnySagaEvent[]) {
    for (const event of events) {
      if (event.orderId !== orderId || isSagaOutcomeEvent(event.type)) continue;
      const known = this.byType.get(event.type);
      const later = known ? roundOf(event) - roundOf(known) : 1;
      if (!known || later > 0 || (later === 0 && earlier(event, known))) this.byType.set(event.type, event);
    }
  }

  get isEmpty(): boolean {
    return this.byType.size === 0;
  }

  use<T extends EventType>(type: T): SagaEvent<T> | undefined {
    return this.byType.get(type) as SagaEvent<T> | undefined;
  }

  get earliest(): string {
    return [...this.byType.values()].reduce((first, event) => (earlier(event, first) ? event : first)).occurredAt;
  }

  get latest(): string {
    return latestOf([...this.byType.values()]);
  }
}

function latestOf(events: readonly Occurrence[]): string {
  return events.reduce((last, event) => (earlier(last, event) ? event : last)).occurredAt;
}

function startTime(trigger: Occurrence | undefined, outcome: Occurrence): string {
  return trigger && earlier(trigger, outcome) ? trigger.occurredAt : outcome.occurredAt;
}

/**
 * Rebuilds the OrderSaga of `orderId` from the events recorded so far, whatever order they arrived in and
 * however often. Returns null when there is no event of this saga yet.
 *
 * A step started when the event it reacts to occurred, and finished when its outcome event occurred. The
 * saga is final only when its record is complete: the success of every step before the one that failed
 * (or of all three), and then every compensation of `compensationPlan(failedStep)`. Requiring the whole
 * path keeps a late step event on the order-events queue from arriving after the saga was closed.
 * OrderCreated is not required: it carries no step information and the saga's start is evident from any
 * later event, so losing its order-events copy cannot keep the saga open. When known, it dates the start
 * of the saga and of ReserveInventory; once the saga is final, the event log takes nothing more.
 */
export function foldChoreographySaga(
  orderId: string,
  events: readonly AnySagaEvent[],
  rounds: CompensationRounds = {},
): OrderSaga | null {
  const facts = new SagaFacts(orderId, events);
  if (facts.isEmpty) return null;

  let saga = startSaga({ orderId, sagaStyle: 'choreography', instanceId: null, now: facts.earliest });
  let pathComplete = true;
  let failedStep: ForwardStepName | null = null;

  for (const { name } of ORDER_SAGA) {
    const stepEvents = FORWARD_STEP_EVENTS[name];
    const trigger = facts.use(stepEvents.startedBy);
    const failure = facts.use(stepEvents.failed);
    const success = failure ? undefined : facts.use(stepEvents.succeeded);
    const outcome = failure ?? success;
    if (!outcome) {
      if (trigger) saga = recordStepAttempt(saga, name, 1, trigger.occurredAt);
      pathComplete = false;
      continue;
    }
    saga = recordStepAttempt(saga, name, outcome.data.attempts, startTime(trigger, outcome));
    if (failure) {
      saga = recordStepFailed(saga, name, failure.data.reason, failure.occurredAt);
      failedStep = name;
      break;
    }
    saga = recordStepSucceeded(saga, name, outcome.occurredAt);
  }

  if (failedStep) {
    const compensations: Occurrence[] = [];
    for (const name of compensationPlan(failedStep)) {
      const announced = facts.use(COMPENSATION_EVENTS[name]);
      const compensated = announced && roundOf(announced) >= (rounds[name] ?? 1) ? announced : undefined;
      if (!compensated) {
        pathComplete = false;
        continue;
      }
      const { outcome, attempts, error } = compensated.data;
      saga = recordCompensation(saga, { name, status: outcome, attempts, error }, compensated.occurredAt);
      compensations.push(compensated);
    }
    if (pathComplete) saga = finishSaga(saga, latestOf(compensations));
  } else if (pathComplete) {
    saga = finishSaga(saga, facts.latest);
  }
  return { ...saga, updatedAt: facts.latest };
}

/**
 * The event that announces how a final saga ended; null while it runs. It is derived from the record
 * alone (its time is the record's), so announcing it again after a redelivery yields the same event. A saga
 * an operator resumed ends again: `round` (its latest compensation round) gives that ending its own id.
 */
export function sagaOutcomeEvent(saga: OrderSaga, correlationId: string, round = 1): AnySagaEvent | null {
  const outcome = sagaOutcomeOf(saga, correlationId);
  return outcome && round > 1 ? { ...outcome, id: eventIdFor(saga.orderId, outcome.type, round) } : outcome;
}

/** The highest compensation round an operator opened, 1 when none was. */
export function latestRound(rounds: CompensationRounds): number {
  return Math.max(1, ...Object.values(rounds).map((round) => round ?? 1));
}

function sagaOutcomeOf(saga: OrderSaga, correlationId: string): AnySagaEvent | null {
  const envelope = { orderId: saga.orderId, correlationId, occurredAt: saga.updatedAt };
  const reason = orderStatusFor(saga).statusReason ?? '';
  switch (saga.status) {
    case 'Completed':
      return createEvent('OrderCompleted', { ...envelope, data: {} });
    case 'Compensated':
      return createEvent('OrderCancelled', { ...envelope, data: { reason } });
    case 'CompensationFailed':
      return createEvent('OrderFailed', { ...envelope, data: { reason } });
    default:
      return null;
  }
}

export interface PaymentOutcome {
  status: PaymentStatus;
  transactionId: string | null;
}

/** What the order shows of its payment, from the payment participant's events; null before any of them. */
export function paymentOutcome(orderId: string, events: readonly AnySagaEvent[]): PaymentOutcome | null {
  const facts = new SagaFacts(orderId, events);
  const completed = facts.use('PaymentCompleted');
  const failed = facts.use('PaymentFailed');
  const refunded = facts.use('PaymentRefunded');
  const transactionId = completed?.data.transactionId ?? null;
  if (refunded?.data.outcome === 'Compensated') return { status: 'Refunded', transactionId };
  if (failed) return { status: 'Declined', transactionId };
  if (completed) return { status: 'Captured', transactionId };
  return null;
}
