import { compensationPlan, type OrderSaga, type OrderStatus } from '../../src/domain';
import type { PaymentRecord, ShipmentRecord } from '../../src/services/ports';
import { NEVER_COMPLETES, type OrderIntent } from './workload';

/** What the checker knows of one order once the run is over. */
export interface ObservedOrder {
  id: string;
  /** Absent for an order found in the store whose POST never got an answer the client saw. */
  intent?: OrderIntent;
  accepted: boolean;
  /** Null when GET /api/orders/{id} found nothing. */
  order: {
    status: OrderStatus;
    statusReason: string | null;
    items: { productId: string; quantity: number }[];
    payment: { status: string; transactionId: string | null };
  } | null;
  saga: OrderSaga | null;
  payment: PaymentRecord | null;
  shipment: ShipmentRecord | null;
}

export interface ObservedProduct {
  id: string;
  initial: { available: number; reserved: number };
  final: { available: number; reserved: number };
}

export interface Observation {
  orders: ObservedOrder[];
  products: ObservedProduct[];
  /** Order ids and how many payment and shipment documents each has, from a scan of those containers. */
  paymentDocuments: Map<string, number>;
  shipmentDocuments: Map<string, number>;
}

export interface Violation {
  orderId?: string;
  productId?: string;
  rule: string;
  detail: string;
}

/** Every rule a saga promises after its run, checked against what the API and the stores show. */
export function checkInvariants(observation: Observation): Violation[] {
  const violations: Violation[] = [];
  for (const observed of observation.orders) violations.push(...checkOrder(observed));
  violations.push(...checkDocumentCounts('payment', observation.paymentDocuments), ...checkDocumentCounts('shipment', observation.shipmentDocuments));
  violations.push(...checkStock(observation));
  return violations;
}

function checkOrder(observed: ObservedOrder): Violation[] {
  const violations: Violation[] = [];
  const fail = (rule: string, detail: string) => violations.push({ orderId: observed.id, rule, detail });
  const { order, saga, payment, shipment } = observed;
  if (!order) {
    if (observed.accepted) fail('accepted order missing', 'the API accepted it, GET /api/orders/{id} finds nothing');
    return violations;
  }
  if (order.status === 'Pending' || order.status === 'Processing') {
    fail('order not final', `still ${order.status}`);
    return violations;
  }
  if (!saga) {
    fail('saga record missing', `the order is ${order.status} but GET .../saga finds nothing`);
    return violations;
  }
  if (order.status === 'Completed' && observed.intent && NEVER_COMPLETES.has(observed.intent)) {
    fail('impossible completion', `an order meant to fail (${observed.intent}) completed`);
  }
  switch (order.status) {
    case 'Completed':
      if (saga.status !== 'Completed') fail('saga disagrees', `order Completed, saga ${saga.status}`);
      for (const step of saga.steps) if (step.status !== 'Succeeded') fail('step not succeeded', `${step.name} is ${step.status}`);
      if (payment?.status !== 'Captured') fail('completed without charge', `payment record ${payment?.status ?? 'missing'}`);
      if (shipment?.status !== 'Shipped') fail('completed without shipment', `shipment record ${shipment?.status ?? 'missing'}`);
      if (order.payment.status !== 'Captured') fail('order shows wrong payment', `order payment ${order.payment.status}, expected Captured`);
      if (payment && order.payment.transactionId !== payment.transactionId) {
        fail('order shows wrong payment', `order transaction ${order.payment.transactionId}, payment record ${payment.transactionId}`);
      }
      break;
    case 'Cancelled':
      if (saga.status !== 'Compensated') fail('saga disagrees', `order Cancelled, saga ${saga.status}`);
      if (payment?.status === 'Captured') fail('cancelled but charged', 'the payment is Captured and was never refunded');
      if (shipment?.status === 'Shipped') fail('cancelled but shipped', 'the shipment is Shipped and was never cancelled');
      if (order.payment.status === 'Captured') fail('order shows wrong payment', 'a Cancelled order shows its payment Captured');
      if (payment?.status === 'Refunded' && order.payment.status !== 'Refunded') {
        fail('order shows wrong payment', `the payment was refunded, the order shows ${order.payment.status}`);
      }
      violations.push(...checkCompensationOrder(observed.id, saga, false));
      break;
    case 'Failed':
      if (saga.status !== 'CompensationFailed') fail('saga disagrees', `order Failed, saga ${saga.status}`);
      violations.push(...checkCompensationOrder(observed.id, saga, true));
      break;
  }
  return violations;
}

/** The compensations ran in the contract's order for the failed step; `failedForGood`: one of them is named as failed. */
function checkCompensationOrder(orderId: string, saga: OrderSaga, failedForGood: boolean): Violation[] {
  const compensation = saga.compensation;
  if (!compensation) return [{ orderId, rule: 'compensation missing', detail: `saga ${saga.status} without a compensation record` }];
  const violations: Violation[] = [];
  const expected = compensationPlan(compensation.failedStep);
  const actual = compensation.steps.map((step) => step.name);
  if (actual.join(',') !== expected.join(',')) {
    violations.push({ orderId, rule: 'compensations out of order', detail: `ran ${actual.join(', ') || 'none'}, the contract says ${expected.join(', ')}` });
  }
  const failed = compensation.steps.filter((step) => step.status === 'Failed');
  if (failedForGood && failed.length === 0) {
    violations.push({ orderId, rule: 'failure unnamed', detail: 'the saga ended CompensationFailed but names no failed compensation' });
  }
  if (!failedForGood && failed.length > 0) {
    violations.push({ orderId, rule: 'failed compensation ignored', detail: `${failed.map((step) => step.name).join(', ')} failed, yet the saga is Compensated` });
  }
  return violations;
}

function checkDocumentCounts(kind: 'payment' | 'shipment', counts: Map<string, number>): Violation[] {
  return [...counts]
    .filter(([, count]) => count > 1)
    .map(([orderId, count]) => ({ orderId, rule: `duplicate ${kind}`, detail: `${count} ${kind} documents for one order` }));
}

/**
 * Stock: what each product had at the start is still all there (available + reserved), nothing is negative,
 * and what stays reserved is exactly what the completed orders took, plus at most what orders whose
 * ReleaseInventory failed for good may still hold.
 */
function checkStock(observation: Observation): Violation[] {
  const violations: Violation[] = [];
  const taken = new Map<string, number>();
  const mayHold = new Map<string, number>();
  for (const observed of observation.orders) {
    const { order, saga } = observed;
    if (!order) continue;
    const releaseFailed = saga?.compensation?.steps.some((step) => step.name === 'ReleaseInventory' && step.status === 'Failed') ?? false;
    for (const item of order.items) {
      if (order.status === 'Completed') taken.set(item.productId, (taken.get(item.productId) ?? 0) + item.quantity);
      else if (releaseFailed || order.status === 'Pending' || order.status === 'Processing') {
        mayHold.set(item.productId, (mayHold.get(item.productId) ?? 0) + item.quantity);
      }
    }
  }
  for (const product of observation.products) {
    const fail = (rule: string, detail: string) => violations.push({ productId: product.id, rule, detail });
    const before = product.initial.available + product.initial.reserved;
    const after = product.final.available + product.final.reserved;
    if (product.final.available < 0 || product.final.reserved < 0) {
      fail('negative stock', `available ${product.final.available}, reserved ${product.final.reserved}`);
    }
    if (before !== after) fail('stock not conserved', `available + reserved was ${before}, is ${after}`);
    const expected = (taken.get(product.id) ?? 0) + product.initial.reserved;
    const slack = mayHold.get(product.id) ?? 0;
    if (product.final.reserved < expected || product.final.reserved > expected + slack) {
      const range = slack > 0 ? `${expected} to ${expected + slack}` : String(expected);
      fail('stock taken wrongly', `reserved ${product.final.reserved}, completed orders account for ${range}`);
    }
  }
  return violations;
}
