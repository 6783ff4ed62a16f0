import { randomUUID } from 'node:crypto';
import type { AppServices } from '../app-services';
import { createSagaDocumentRepository } from '../data/saga-repository';
import { compensationPlan, isFinalOrderStatus, isFinalSagaStatus, type CompensationName } from '../domain';
import type { CompensationRounds } from '../domain/choreography-saga';
import { orderCreatedEvent } from '../services/order-service';
import { systemClock, type Clock, type EventPublisher, type OrderRepository, type SagaRepository } from '../services/ports';
import { createDecisionStore } from './decision-store';
import { SAGA_ACTION_NAMES, type Decision, type DecisionStore, type SagaActionName } from './decisions';
import { redrivePlan } from './redrive-plan';
import { ChoreographySagaDocumentSchema, recordedEvents, withRoundsReopened, type ChoreographySagaDocument } from './saga-event-log';

/** What resuming a choreographed saga did, for the sweeper's log and the operator's answer. */
export interface ResumeOutcome {
  /** `none`: nothing was missing; `redriven`: an event was sent again; `refused`: the saga cannot be resumed (detail says why). */
  action: 'none' | 'redriven' | 'refused';
  detail: string;
}

/** What resuming reads and writes. */
export interface ResumePorts {
  orders: Pick<OrderRepository, 'get' | 'update'>;
  sagas: Pick<SagaRepository<ChoreographySagaDocument>, 'get' | 'update'>;
  decisions: DecisionStore;
  publisher: EventPublisher;
  clock: Clock;
  /** A tag never used before, which gives every event sent again a new message id (duplicate detection drops a known one). */
  newResendTag(): string;
}

export function resumePortsFrom(services: AppServices): ResumePorts {
  return {
    orders: services.repositories.orders,
    sagas: createSagaDocumentRepository(services.cosmos.containers.sagas, ChoreographySagaDocumentSchema),
    decisions: createDecisionStore(services.cosmos.containers.decisions),
    publisher: services.publisher,
    clock: systemClock,
    newResendTag: () => randomUUID(),
  };
}

/**
 * Moves a choreographed saga on when it has stopped: `stuck` when the sweeper found it in Processing with a
 * saga record older than the threshold, `operator` when someone asked to resume a CompensationFailed saga.
 */
export function resumeChoreographySaga(services: AppServices, orderId: string, trigger: 'stuck' | 'operator'): Promise<ResumeOutcome> {
  return resumeSaga(resumePortsFrom(services), orderId, trigger);
}

/**
 * `stuck`: works out from the decision records which event never got where it was going (an announcement the
 * order participant has not recorded, or the trigger of the first undecided step or compensation) and
 * publishes it again, unchanged, under a new message id. `operator` on a CompensationFailed saga: opens a new
 * round of every compensation that failed for good, puts the order back to Processing and re-drives the
 * trigger of the first of them; the chain then runs as usual and the saga ends Compensated (order Cancelled)
 * once the fault is gone, or CompensationFailed again. Every step is safe to repeat.
 */
export async function resumeSaga(ports: ResumePorts, orderId: string, trigger: 'stuck' | 'operator'): Promise<ResumeOutcome> {
  const order = await ports.orders.get(orderId);
  if (!order) return { action: 'refused', detail: `order ${orderId} does not exist` };
  if (order.sagaStyle !== 'choreography') return { action: 'refused', detail: `order ${orderId} runs as ${order.sagaStyle}, not choreography` };
  const saga = await ports.sagas.get(orderId);

  let reopened: string[] = [];
  if (trigger === 'operator') {
    const resumable = saga && (saga.status === 'CompensationFailed' || (hasRounds(saga) && !isFinalSagaStatus(saga.status)));
    if (resumable) {
      reopened = await reopenCompensations(ports, saga, { failed: true });
      if (reopened.length === 0) {
        return { action: 'refused', detail: `order ${orderId}: no compensation of its saga has a Failed decision to re-run` };
      }
    } else if (order.status !== 'Processing') {
      const state = saga ? `its saga is ${saga.status}` : 'it has no saga record';
      return { action: 'refused', detail: `order ${orderId} is ${order.status} and ${state}: only a CompensationFailed saga can be resumed` };
    }
  } else if (order.status !== 'Processing') {
    return { action: 'none', detail: `order ${orderId} is ${order.status}, not Processing: nothing is stuck` };
  } else if (saga?.status === 'CompensationFailed') {
    // An operator's resume stopped after opening rounds: record them in the saga, or their outcomes would not count.
    reopened = await reopenCompensations(ports, saga, { failed: false });
  }

  const decisions = await readDecisions(ports.decisions, orderId);
  const current = reopened.length > 0 ? await ports.sagas.get(orderId) : saga;
  const recorded = current ? recordedEvents(current) : [];
  const plan = redrivePlan(orderCreatedEvent(order), decisions, recorded);
  let events = plan.events;
  if (events.length === 0) {
    const last = plan.path.at(-1);
    if (!last || !current || !isFinalSagaStatus(current.status) || isFinalOrderStatus(order.status)) {
      return { action: 'none', detail: `order ${orderId}: no event is missing; ${waiting(plan.waitingOn)}` };
    }
    // The saga record is final but the order is not: the order participant stopped between the two writes.
    events = [last];
  }

  await ports.publisher.publish(events, { resend: ports.newResendTag() });
  const what = reopened.length > 0 ? `reopened ${reopened.join(', ')}; ` : '';
  return {
    action: 'redriven',
    detail: `order ${orderId}: ${what}sent ${events.map((event) => event.type).join(', ')} again under new message ids; ${waiting(plan.waitingOn)}`,
  };
}

function waiting(on: SagaActionName | null): string {
  return on ? `waiting on ${on}` : 'every step and compensation is decided';
}

async function readDecisions(store: DecisionStore, orderId: string): Promise<Map<SagaActionName, Decision>> {
  const found = await Promise.all(SAGA_ACTION_NAMES.map(async (name) => [name, await store.get(orderId, name)] as const));
  return new Map(found.filter((entry): entry is readonly [SagaActionName, Decision] => entry[1] !== null));
}

function hasRounds(saga: ChoreographySagaDocument): boolean {
  return Object.keys(saga.choreography?.rounds ?? {}).length > 0;
}

/**
 * Opens the next round of each compensation whose decision is Failed (when `failed`), records the open rounds
 * in the saga (so the order participant counts only their new outcomes) and puts the order back to Processing,
 * in that order: a resume interrupted half-way is finished by the next one. Returns the compensations with an
 * open round; nothing is written when there is none.
 */
async function reopenCompensations(
  ports: ResumePorts,
  saga: ChoreographySagaDocument,
  reopen: { failed: boolean },
): Promise<string[]> {
  const failedStep = saga.compensation?.failedStep;
  if (!failedStep) return [];
  const rounds: CompensationRounds = {};
  for (const name of compensationPlan(failedStep)) {
    const decision = await ports.decisions.get(saga.orderId, name);
    const data = decision?.announcement?.data;
    if (reopen.failed && decision && data && 'outcome' in data && data.outcome === 'Failed') {
      rounds[name] = (await ports.decisions.reopen(saga.orderId, name, decision.round)).round;
    } else if (decision && !decision.announcement) {
      rounds[name] = decision.round;
    }
  }
  const names = (Object.keys(rounds) as CompensationName[]).map((name) => `${name} (round ${rounds[name] ?? 1})`);
  if (names.length === 0) return [];
  await ports.sagas.update(saga.orderId, (stored) => withRoundsReopened(stored, rounds));
  const now = ports.clock.now().toISOString();
  await ports.orders.update(saga.orderId, (order) =>
    order.status === 'Failed' ? { ...order, status: 'Processing', statusReason: null, updatedAt: now } : null,
  );
  return names;
}
