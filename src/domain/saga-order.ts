import type { FailureSimulation, StoredOrder } from './order';

/**
 * What a saga needs to know about its order, captured once when the saga starts so no step has to read
 * the order again. It carries the opaque reference of the card the payment step kept, and no card data in any
 * form: it is the orchestration's input, which the task hub keeps in its history.
 */
export interface SagaOrder {
  orderId: string;
  correlationId: string;
  items: Array<{ productId: string; quantity: number }>;
  totalAmount: number;
  currency: string;
  paymentReference: string;
  shippingCountry: string;
  simulateFailure: FailureSimulation | null;
  /** The order's trace (W3C), carried into every activity so one order is one trace. */
  traceparent?: string;
  tracestate?: string;
}

export function toSagaOrder(order: StoredOrder, correlationId: string = order.id): SagaOrder {
  return {
    orderId: order.id,
    correlationId,
    items: order.items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
    totalAmount: order.totalAmount,
    currency: order.currency,
    paymentReference: order.paymentReference,
    shippingCountry: order.shippingAddress.country,
    simulateFailure: order.simulateFailure,
  };
}
