import type { InvocationContext } from '@azure/functions';
import type { Delivery } from './delivery';

/**
 * A Service Bus trigger invocation as a Delivery. The delivery count comes from the trigger metadata; a
 * host that leaves it out is treated as delivering for the first time.
 */
export function deliveryFrom(body: unknown, context: InvocationContext): Delivery {
  const metadata = context.triggerMetadata ?? {};
  const deliveryCount = Number(metadata.deliveryCount);
  const messageId = metadata.messageId;
  return {
    body,
    messageId: typeof messageId === 'string' && messageId !== '' ? messageId : `(no messageId; invocation ${context.invocationId})`,
    deliveryCount: Number.isInteger(deliveryCount) && deliveryCount >= 1 ? deliveryCount : 1,
    log: {
      info: (message) => context.info(message),
      warn: (message) => context.warn(message),
      error: (message) => context.error(message),
    },
  };
}
