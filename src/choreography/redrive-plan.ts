import { FORWARD_STEP_EVENTS } from '../domain/choreography-saga';
import { ORDER_SAGA, compensationPlan, type AnySagaEvent, type ForwardStepName } from '../domain';
import type { Decision, SagaActionName } from './decisions';

/** What a stopped saga needs sent again, worked out from its decision records and the order participant's log. */
export interface RedrivePlan {
  /**
   * The announcements of decided steps and compensations that the order participant has not recorded, and the
   * trigger of the first undecided one, in saga order. Each is published again exactly as decided.
   */
  events: AnySagaEvent[];
  /** The first step or compensation on the saga's path not decided yet; null when all of them are. */
  waitingOn: SagaActionName | null;
  /** Every announcement on the saga's path so far, in saga order. */
  path: AnySagaEvent[];
}

/**
 * Walks the saga's path as the decision records tell it (the forward steps until one failed, then its
 * compensations), starting from `orderCreated`. A decision's announcement is the trigger of the next step on
 * the path, so the first undecided step's trigger is the announcement before it.
 */
export function redrivePlan(
  orderCreated: AnySagaEvent,
  decisions: ReadonlyMap<SagaActionName, Decision>,
  recorded: readonly AnySagaEvent[],
): RedrivePlan {
  const path: AnySagaEvent[] = [];
  let trigger = orderCreated;
  let failedStep: ForwardStepName | null = null;
  let waitingOn: SagaActionName | null = null;

  const walk = (name: SagaActionName): boolean => {
    const announcement = decisions.get(name)?.announcement;
    if (!announcement) {
      waitingOn = name;
      return false;
    }
    path.push(announcement);
    trigger = announcement;
    return true;
  };

  for (const { name } of ORDER_SAGA) {
    if (!walk(name)) break;
    if (trigger.type === FORWARD_STEP_EVENTS[name].failed) {
      failedStep = name;
      break;
    }
  }
  if (failedStep && !waitingOn) {
    for (const name of compensationPlan(failedStep)) if (!walk(name)) break;
  }

  const known = new Set(recorded.map((event) => event.id));
  const events = path.filter((event) => !known.has(event.id));
  if (waitingOn && !events.includes(trigger)) events.push(trigger);
  return { events, waitingOn, path };
}
