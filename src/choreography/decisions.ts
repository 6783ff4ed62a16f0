import { z } from 'zod';
import { COMPENSATION_NAMES, FORWARD_STEP_NAMES, parseEvent, type AnySagaEvent, type CompensationName, type ForwardStepName } from '../domain';

/** A forward step or a compensation: each is decided once per order (a compensation once per round). */
export type SagaActionName = ForwardStepName | CompensationName;
export const SAGA_ACTION_NAMES: readonly SagaActionName[] = [...FORWARD_STEP_NAMES, ...COMPENSATION_NAMES];

/**
 * How a step or compensation of one order turned out, written before it is announced. The announcement is
 * the whole event as it was first published: every later announcement is this record, byte for byte, so a
 * redelivered trigger can never turn a success into a failure or change what an event says.
 *
 * `round` is 1 for ever for a forward step. For a compensation an operator can open round 2, 3, ... after one
 * ended Failed: `announcement` is then null until the compensation is decided again.
 */
export interface Decision {
  orderId: string;
  name: SagaActionName;
  round: number;
  announcement: AnySagaEvent | null;
}

export const DecisionDocumentSchema = z.object({
  orderId: z.string().min(1),
  name: z.enum(SAGA_ACTION_NAMES as [SagaActionName, ...SagaActionName[]]),
  round: z.number().int().min(1),
  announcement: z.unknown().nullable(),
  decidedAt: z.string().nullable(),
});
export type DecisionDocument = z.infer<typeof DecisionDocumentSchema>;

/** The document id: one decision record per order and step (partition key: the order id). */
export function decisionId(orderId: string, name: SagaActionName): string {
  return `${orderId}:${name}`;
}

export class DecisionRecordInvalid extends Error {
  override readonly name = 'DecisionRecordInvalid';
}

export function decisionFrom(document: DecisionDocument): Decision {
  if (document.announcement === null) return { orderId: document.orderId, name: document.name, round: document.round, announcement: null };
  const parsed = parseEvent(document.announcement);
  if (!parsed.ok) throw new DecisionRecordInvalid(`Decision ${decisionId(document.orderId, document.name)}: ${parsed.reason}`);
  return { orderId: document.orderId, name: document.name, round: document.round, announcement: parsed.event };
}

export function decisionDocument(decision: Decision): DecisionDocument & { id: string } {
  return {
    id: decisionId(decision.orderId, decision.name),
    orderId: decision.orderId,
    name: decision.name,
    round: decision.round,
    announcement: decision.announcement,
    decidedAt: decision.announcement?.occurredAt ?? null,
  };
}

/** Where decisions are kept. Every write is conditional, so the first decision of a round wins for ever. */
export interface DecisionStore {
  get(orderId: string, name: SagaActionName): Promise<Decision | null>;
  /**
   * Decides `name` for the order unless it is decided already: creates the record (round 1) with the event
   * `announce(1)` builds, or fills the open round `r` with `announce(r)`. Returns the stored decision, whoever
   * wrote it; its announcement is what must be published.
   */
  decide(orderId: string, name: SagaActionName, announce: (round: number) => AnySagaEvent): Promise<Decision>;
  /**
   * Opens the next round of a compensation whose round `failedRound` was decided; returns the stored decision
   * (unchanged when another round is open or was decided since).
   */
  reopen(orderId: string, name: CompensationName, failedRound: number): Promise<Decision>;
}

/** The record deciding writes, or null when the stored decision stands (the first decision of a round wins). */
export function withDecision(
  stored: Decision | null,
  orderId: string,
  name: SagaActionName,
  announce: (round: number) => AnySagaEvent,
): Decision | null {
  if (!stored) return { orderId, name, round: 1, announcement: announce(1) };
  if (stored.announcement) return null;
  return { ...stored, announcement: announce(stored.round) };
}

/** The record reopening writes: only a compensation whose round `failedRound` was decided Failed gets another. */
export function withRoundReopened(stored: Decision | null, failedRound: number): Decision | null {
  if (!stored || stored.round !== failedRound || !stored.announcement) return null;
  const { data } = stored.announcement;
  if (!('outcome' in data) || data.outcome !== 'Failed') return null;
  return { ...stored, round: failedRound + 1, announcement: null };
}
