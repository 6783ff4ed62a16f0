import { isFinalOrderStatus, orderStatusFor, type OrderSaga, type PaymentStatus, type StoredOrder } from '../domain';
import { recordSagaFinished } from '../telemetry/saga-metrics';
import type { Clock, OrderRepository, SagaRepository } from './ports';

export interface PaymentProgress {
  status: PaymentStatus;
  transactionId: string | null;
}

/**
 * Persists the OrderSaga after each transition and mirrors it onto the order, so GET /orders/{id} shows the
 * saga's progress without a second lookup. The saga record is written first: it is the source of truth, and
 * a retry after a fault between the two writes brings the order in line.
 */
export class SagaRecordService {
  constructor(
    private readonly deps: { sagas: Pick<SagaRepository, 'get' | 'save'>; orders: Pick<OrderRepository, 'update'>; clock: Clock },
  ) {}

  async save(saga: OrderSaga, payment?: PaymentProgress): Promise<void> {
    await this.deps.sagas.save(saga);
    await this.applyToOrder(saga, payment);
  }

  /** Writes the saga record alone, for transitions that change nothing the order shows. */
  async saveSagaOnly(saga: OrderSaga): Promise<void> {
    await this.deps.sagas.save(saga);
  }

  /**
   * Brings the order in line with the saga: the status and reason it implies and, when given, the payment's
   * progress. The order is written only when something it shows changes.
   */
  async applyToOrder(saga: OrderSaga, payment?: PaymentProgress): Promise<void> {
    const { status, statusReason } = orderStatusFor(saga);
    let finishedNow = false;
    await this.deps.orders.update(saga.orderId, (order): StoredOrder | null => {
      finishedNow = false;
      // A final status is the answer the client was promised; a late or replayed snapshot must not undo it.
      if (isFinalOrderStatus(order.status)) return null;
      const nextPayment = payment ? { ...order.payment, status: payment.status, transactionId: payment.transactionId } : order.payment;
      const unchanged =
        order.status === status &&
        order.statusReason === statusReason &&
        order.payment.status === nextPayment.status &&
        order.payment.transactionId === nextPayment.transactionId;
      if (unchanged) return null;
      finishedNow = isFinalOrderStatus(status);
      return { ...order, status, statusReason, payment: nextPayment, updatedAt: this.deps.clock.now().toISOString() };
    });
    if (finishedNow) recordSagaFinished(saga.sagaStyle, saga.status);
  }

  get(orderId: string): Promise<OrderSaga | null> {
    return this.deps.sagas.get(orderId);
  }
}
