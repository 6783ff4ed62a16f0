import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SagaStyleSchema } from './order';
import { CompensationStatusSchema } from './saga';

const LineSchema = z.object({ productId: z.string().min(1), quantity: z.number().int().min(1) });

const ForwardFailureSchema = z.object({ reason: z.string(), attempts: z.number().int().min(1) });
/**
 * A compensating event says how the compensation went, so the chain goes on even when one fails. `round` is
 * there only after an operator re-ran a compensation that had failed for good (round 2, 3, ...): each round is a
 * fact of its own, with an event id of its own.
 */
const CompensationResultSchema = z.object({
  outcome: CompensationStatusSchema,
  attempts: z.number().int().min(1),
  error: z.string().nullable(),
  round: z.number().int().min(2).optional(),
});

/** Each event type with the schema of its `data`. */
export const EVENT_DATA_SCHEMAS = {
  OrderCreated: z.object({
    customerId: z.string(),
    sagaStyle: SagaStyleSchema,
    items: z.array(LineSchema).min(1),
    totalAmount: z.number().nonnegative(),
    currency: z.string(),
  }),
  InventoryReserved: z.object({ items: z.array(LineSchema), attempts: z.number().int().min(1) }),
  InventoryReservationFailed: ForwardFailureSchema,
  PaymentCompleted: z.object({ transactionId: z.string(), amount: z.number(), attempts: z.number().int().min(1) }),
  PaymentFailed: ForwardFailureSchema,
  OrderFulfilled: z.object({ trackingNumber: z.string(), attempts: z.number().int().min(1) }),
  FulfillmentFailed: ForwardFailureSchema,
  FulfillmentCancelled: CompensationResultSchema,
  PaymentRefunded: CompensationResultSchema,
  InventoryReleased: CompensationResultSchema,
  OrderCompleted: z.object({}),
  OrderCancelled: z.object({ reason: z.string() }),
  OrderFailed: z.object({ reason: z.string() }),
} as const;

export type EventType = keyof typeof EVENT_DATA_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA_SCHEMAS)[T]>;

export interface SagaEvent<T extends EventType = EventType> {
  type: T;
  id: string;
  orderId: string;
  occurredAt: string;
  correlationId: string;
  data: EventData<T>;
}

export type AnySagaEvent = { [T in EventType]: SagaEvent<T> }[EventType];

const EnvelopeSchema = z.object({
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  id: z.string().min(1),
  orderId: z.string().min(1),
  occurredAt: z.string().datetime({ offset: true }),
  correlationId: z.string().min(1),
  data: z.unknown(),
});

export type EventParseResult = { ok: true; event: AnySagaEvent } | { ok: false; reason: string };

/** Validates a message body against the envelope and the schema of its type. */
export function parseEvent(body: unknown): EventParseResult {
  const envelope = EnvelopeSchema.safeParse(body);
  if (!envelope.success) return { ok: false, reason: `Invalid event envelope: ${describeIssues(envelope.error)}` };
  const dataSchema = EVENT_DATA_SCHEMAS[envelope.data.type];
  const data = dataSchema.safeParse(envelope.data.data);
  if (!data.success) {
    return { ok: false, reason: `Invalid ${envelope.data.type} data: ${describeIssues(data.error)}` };
  }
  return { ok: true, event: { ...envelope.data, data: data.data } as AnySagaEvent };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/**
 * Event ids are derived from the order and the fact they announce, so a participant that re-publishes
 * after a redelivery produces the same messageId and Service Bus duplicate detection drops the copy. A
 * compensation re-run by an operator (`round` 2 or more) announces a new fact, so it gets a new id.
 */
export function eventIdFor(orderId: string, type: EventType, round = 1): string {
  const fact = round > 1 ? `${orderId}|${type}|round ${round}` : `${orderId}|${type}`;
  return createHash('sha256').update(fact).digest('hex').slice(0, 32);
}

/** The round of a compensating event (1 unless an operator re-ran the compensation); 1 for any other event. */
export function roundOf(event: Pick<AnySagaEvent, 'data'>): number {
  const { data } = event;
  return 'round' in data && typeof data.round === 'number' ? data.round : 1;
}

export function createEvent<T extends EventType>(
  type: T,
  input: { orderId: string; correlationId?: string; occurredAt: string; data: EventData<T> },
): SagaEvent<T> {
  const round = typeof input.data === 'object' && input.data !== null && 'round' in input.data ? Number(input.data.round) : 1;
  return {
    type,
    id: eventIdFor(input.orderId, type, round),
    orderId: input.orderId,
    occurredAt: input.occurredAt,
    correlationId: input.correlationId ?? input.orderId,
    data: input.data,
  };
}
