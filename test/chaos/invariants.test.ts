import { describe, expect, it } from 'vitest';
import { checkInvariants, type ObservedOrder, type Observation } from '../../scripts/chaos/invariants';
import type { OrderSaga } from '../../src/domain';

const AT = '2026-01-01T00:00:00.000Z';

function saga(status: OrderSaga['status'], compensation: OrderSaga['compensation'] = null): OrderSaga {
  const succeeded = status === 'Completed';
  return {
    orderId: 'o1',
    sagaStyle: 'orchestration',
    instanceId: 'o1',
    status,
    steps: (['ReserveInventory', 'ProcessPayment', 'FulfillOrder'] as const).map((name) => ({
      name,
      status: succeeded ? 'Succeeded' : name === 'ReserveInventory' ? 'Succeeded' : name === 'ProcessPayment' ? 'Failed' : 'Pending',
      attempts: 1,
      startedAt: AT,
      completedAt: AT,
      error: null,
    })),
    compensation,
    createdAt: AT,
    updatedAt: AT,
  };
}

const paymentFailedCompensation = (refund: 'Compensated' | 'NothingToCompensate' | 'Failed' = 'NothingToCompensate'): OrderSaga['compensation'] => ({
  reason: 'declined',
  failedStep: 'ProcessPayment',
  startedAt: AT,
  completedAt: AT,
  steps: [
    { name: 'RefundPayment', status: refund, attempts: 1, completedAt: AT, error: refund === 'Failed' ? 'down' : null },
    { name: 'ReleaseInventory', status: 'Compensated', attempts: 1, completedAt: AT, error: null },
  ],
});

function completedOrder(id = 'o1', quantity = 2): ObservedOrder {
  return {
    id,
    intent: 'succeeds',
    accepted: true,
    order: { status: 'Completed', statusReason: null, items: [{ productId: 'p1', quantity }], payment: { status: 'Captured', transactionId: 'tx1' } },
    saga: saga('Completed'),
    payment: { orderId: id, amount: 10, currency: 'USD', status: 'Captured', transactionId: 'tx1', reason: null, createdAt: AT, updatedAt: AT },
    shipment: { orderId: id, status: 'Shipped', trackingNumber: 't', country: 'US', createdAt: AT, updatedAt: AT },
  };
}

function cancelledOrder(id = 'o2'): ObservedOrder {
  return {
    id,
    intent: 'declined-card',
    accepted: true,
    order: { status: 'Cancelled', statusReason: 'declined', items: [{ productId: 'p1', quantity: 1 }], payment: { status: 'Declined', transactionId: null } },
    saga: saga('Compensated', paymentFailedCompensation()),
    payment: { orderId: id, amount: 10, currency: 'USD', status: 'Declined', transactionId: null, reason: 'declined', createdAt: AT, updatedAt: AT },
    shipment: null,
  };
}

function world(orders: ObservedOrder[], final = { available: 8, reserved: 2 }): Observation {
  return {
    orders,
    products: [{ id: 'p1', initial: { available: 10, reserved: 0 }, final }],
    paymentDocuments: new Map(orders.filter((o) => o.payment).map((o) => [o.id, 1])),
    shipmentDocuments: new Map(orders.filter((o) => o.shipment).map((o) => [o.id, 1])),
  };
}

const rules = (observation: Observation) => checkInvariants(observation).map((violation) => violation.rule);

describe('the chaos invariants', () => {
  it('accept a consistent world: one completed order holding its stock, one cancelled order', () => {
    expect(checkInvariants(world([completedOrder(), cancelledOrder()]))).toEqual([]);
  });

  it('report an accepted order that is gone, and one that never ended', () => {
    const gone = { ...completedOrder('gone'), order: null };
    const running = completedOrder('running');
    running.order = { ...running.order!, status: 'Processing' };
    expect(rules(world([gone, running], { available: 10, reserved: 0 }))).toEqual(['accepted order missing', 'order not final']);
  });

  it('report a completed order without a charge or a shipment', () => {
    const order = completedOrder();
    order.payment = null;
    order.shipment = { ...order.shipment!, status: 'Cancelled' };
    expect(rules(world([order]))).toEqual(expect.arrayContaining(['completed without charge', 'completed without shipment']));
  });

  it('report a cancelled order that kept the money or shipped', () => {
    const order = cancelledOrder();
    order.payment = { ...order.payment!, status: 'Captured' };
    order.shipment = { orderId: order.id, status: 'Shipped', trackingNumber: 't', country: 'US', createdAt: AT, updatedAt: AT };
    expect(rules(world([order], { available: 10, reserved: 0 }))).toEqual(expect.arrayContaining(['cancelled but charged', 'cancelled but shipped']));
  });

  it('report compensations out of the contract order, and a failed one hidden under Compensated', () => {
    const reordered = cancelledOrder('a');
    const compensation = paymentFailedCompensation()!;
    reordered.saga = saga('Compensated', { ...compensation, steps: [...compensation.steps].reverse() });
    const hidden = cancelledOrder('b');
    hidden.saga = saga('Compensated', paymentFailedCompensation('Failed'));
    expect(rules(world([reordered, hidden], { available: 10, reserved: 0 }))).toEqual(['compensations out of order', 'failed compensation ignored']);
  });

  it('report a Failed order whose saga names no failed compensation', () => {
    const order = cancelledOrder();
    order.order = { ...order.order!, status: 'Failed' };
    order.saga = saga('CompensationFailed', paymentFailedCompensation());
    expect(rules(world([order], { available: 10, reserved: 0 }))).toEqual(['failure unnamed']);
  });

  it('report an order meant to fail that completed', () => {
    const order = completedOrder();
    order.intent = 'simulate-payment';
    expect(rules(world([order]))).toEqual(['impossible completion']);
  });

  it('report duplicate charges and shipments', () => {
    const observation = world([completedOrder()]);
    observation.paymentDocuments.set('o1', 2);
    observation.shipmentDocuments.set('o1', 3);
    expect(rules(observation)).toEqual(['duplicate payment', 'duplicate shipment']);
  });

  it('report stock that is lost, negative, held for a cancelled order, or taken twice', () => {
    expect(rules(world([completedOrder()], { available: 7, reserved: 2 }))).toEqual(['stock not conserved']);
    expect(rules(world([completedOrder()], { available: 12, reserved: -2 }))).toEqual(['negative stock', 'stock taken wrongly']);
    expect(rules(world([cancelledOrder()], { available: 9, reserved: 1 }))).toEqual(['stock taken wrongly']);
    expect(rules(world([completedOrder()], { available: 6, reserved: 4 }))).toEqual(['stock taken wrongly']);
  });

  it('let an order whose ReleaseInventory failed for good still hold its stock', () => {
    const order = cancelledOrder();
    order.order = { ...order.order!, status: 'Failed' };
    const compensation = paymentFailedCompensation();
    compensation!.steps[1] = { ...compensation!.steps[1]!, status: 'Failed', error: 'down' };
    order.saga = saga('CompensationFailed', compensation);
    expect(checkInvariants(world([order], { available: 9, reserved: 1 }))).toEqual([]);
  });
});
