import { setTimeout as sleep } from 'node:timers/promises';
import type { InvocationContext } from '@azure/functions';
import { COMPENSATION_RETRY, retryDelayMs } from '../domain';
import type { Delivery } from './delivery';
import type { ChoreographyParticipants } from './participant-ports';
import { getChoreographyParticipants } from './participants-context';
import { describeFault } from './redelivery';
import { deliveryFrom } from './trigger-delivery';

export type ParticipantHandler = (participants: ChoreographyParticipants, delivery: Delivery) => Promise<void>;

/**
 * A Service Bus queue handler for one participant. When the app's services cannot be built (the database
 * is not reachable yet), the message goes back to the queue after a back-off, like any transient fault.
 */
export function participantFunction(handle: ParticipantHandler) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const delivery = deliveryFrom(message, context);
    let participants: ChoreographyParticipants;
    try {
      participants = await getChoreographyParticipants();
    } catch (fault) {
      delivery.log.error(`Message ${delivery.messageId}: the app's services are not available: ${describeFault(fault)}`);
      await sleep(retryDelayMs(COMPENSATION_RETRY, delivery.deliveryCount + 1));
      throw fault;
    }
    await handle(participants, delivery);
  };
}
