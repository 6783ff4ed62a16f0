import type { PaymentOutcome } from '../domain/choreography-saga';
import { isFinalOrderStatus, orderStatusFor, type OrderSaga, type StoredOrder } from '../domain';

/**
 * The order as the saga says it should be now, or null when it already is. A final order is never changed
 * again: a handler working from an older snapshot of the saga must not move it back to Processing.
 */
export function orderFollowingSaga(
  order: StoredOrder,
  saga: OrderSaga,
  payment: PaymentOutcome | null,
  now: string,
): StoredOrder | null {
  if (isFinalOrderStatus(order.status)) return null;
  const { status, statusReason } = orderStatusFor(saga);
  const paymentInfo = payment ? { ...order.payment, ...payment } : order.payment;
  const unchanged =
    status === order.status &&
    statusReason === order.statusReason &&
    paymentInfo.status === order.payment.status &&
    paymentInfo.transactionId === order.payment.transactionId;
  if (unchanged) return null;
  return { ...order, status, statusReason, payment: paymentInfo, updatedAt: now };
}
