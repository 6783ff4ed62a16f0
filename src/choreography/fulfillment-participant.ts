import type { Delivery } from './delivery';
import { runCompensation } from './compensation';
import { runForwardStep } from './forward-step';
import type { FulfillmentParticipantDeps } from './participant-ports';
import { react, type Reactions } from './reactions';

/**
 * Fulfilment (queue fulfillment-events) ships once the payment is captured, and cancels the shipment
 * after its own failure, which starts the compensation chain back through payment and inventory.
 */
export const fulfillmentReactions: Reactions<FulfillmentParticipantDeps> = {
  PaymentCompleted: (deps, event, delivery) =>
    runForwardStep(deps, delivery, event, 'FulfillOrder', async (order) => {
      const shipped = await deps.fulfillment.fulfil(order);
      return shipped.ok ? { ok: true, value: { trackingNumber: shipped.value.trackingNumber } } : shipped;
    }),
  FulfillmentFailed: (deps, event, delivery) =>
    runCompensation(deps, delivery, event, 'CancelFulfillment', (order) => deps.fulfillment.cancel(order)),
};

export function handleFulfillmentEvent(deps: FulfillmentParticipantDeps, delivery: Delivery): Promise<void> {
  return react('fulfillment', fulfillmentReactions, deps, delivery);
}
