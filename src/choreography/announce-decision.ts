import { TransientFault, retryDelayMs, type AnySagaEvent, type RetryPolicy } from '../domain';
import type { QueueName } from '../messaging/queues';
import type { Decision, DecisionStore, SagaActionName } from './decisions';
import type { Delivery } from './delivery';
import type { ParticipantBasics } from './participant-ports';
import { QUEUE_MAX_DELIVERY_COUNT, describeFault, publishAnnouncement } from './redelivery';

/**
 * Announces what the decision record says: the event exactly as it was first decided (same id, same data,
 * same time), whichever delivery publishes it.
 */
export async function announceDecision(
  deps: Pick<ParticipantBasics, 'publisher' | 'pause'>,
  delivery: Delivery,
  trigger: AnySagaEvent,
  decision: Decision,
  policy: RetryPolicy,
  queue: QueueName,
): Promise<AnySagaEvent> {
  const { announcement } = decision;
  if (!announcement) {
    // An operator opened a new round between deciding and announcing: the next delivery decides that round.
    throw new TransientFault(`${decision.name} of order ${decision.orderId} has an open round ${decision.round}; handing the message back`);
  }
  await publishAnnouncement(deps, delivery, trigger, announcement, policy, queue);
  return announcement;
}

/**
 * Records the failure `announce` builds, unless the step was decided already (then that decision is returned:
 * an earlier delivery's success stays a success). When the record cannot be written the failure is not
 * announced at all: the message is handed back, and after the queue's last delivery it is dead-lettered for
 * the stuck-saga sweeper to re-drive.
 */
export async function decideFailure(
  deps: Pick<ParticipantBasics, 'pause'> & { decisions: DecisionStore },
  delivery: Delivery,
  trigger: AnySagaEvent,
  name: SagaActionName,
  policy: RetryPolicy,
  announce: (round: number) => AnySagaEvent,
): Promise<Decision> {
  try {
    return await deps.decisions.decide(trigger.orderId, name, announce);
  } catch (fault) {
    const what = `Recording the failure of ${name} of order ${trigger.orderId}`;
    if (delivery.deliveryCount >= QUEUE_MAX_DELIVERY_COUNT) {
      delivery.log.error(
        `${what} failed on delivery ${delivery.deliveryCount}, the last the queue allows: ${trigger.type} message ${delivery.messageId} ` +
          `goes to the dead-letter queue and nothing is announced; the stuck-saga sweeper re-drives it: ${describeFault(fault)}`,
      );
    } else {
      delivery.log.warn(`${what} failed on delivery ${delivery.deliveryCount}, handing the message back: ${describeFault(fault)}`);
      await deps.pause(retryDelayMs(policy, delivery.deliveryCount + 1));
    }
    throw fault;
  }
}
