import type { Delivery } from './delivery';
import { runCompensation } from './compensation';
import { runForwardStep } from './forward-step';
import type { PaymentParticipantDeps } from './participant-ports';
import { react, type Reactions } from './reactions';

/**
 * Payment (queue payment-events) charges once the stock is reserved. It refunds after its own failure
 * (a failed or timed-out charge may have gone through, so usually NothingToCompensate) and after the
 * fulfilment was cancelled.
 */
export const paymentReactions: Reactions<PaymentParticipantDeps> = {
  InventoryReserved: (deps, event, delivery) =>
    runForwardStep(deps, delivery, event, 'ProcessPayment', async (order) => {
      const charged = await deps.payment.charge(order);
      return charged.ok ? { ok: true, value: { transactionId: charged.value.transactionId, amount: order.totalAmount } } : charged;
    }),
  PaymentFailed: (deps, event, delivery) =>
    runCompensation(deps, delivery, event, 'RefundPayment', (order) => deps.payment.refund(order)),
  FulfillmentCancelled: (deps, event, delivery) =>
    runCompensation(deps, delivery, event, 'RefundPayment', (order) => deps.payment.refund(order)),
};

export function handlePaymentEvent(deps: PaymentParticipantDeps, delivery: Delivery): Promise<void> {
  return react('payment', paymentReactions, deps, delivery);
}
