import { describe, expect, it } from 'vitest';
import { UnprocessableMessage } from '../../src/choreography/delivery';
import { handleInventoryEvent } from '../../src/choreography/inventory-participant';
import type { InventoryOperations } from '../../src/choreography/participant-ports';
import type { CompensationOutcome } from '../../src/services/ports';
import { businessFailure, eventIdFor, succeeded, type SagaOrder, type StepResult } from '../../src/domain';
import { aStoredOrder } from '../data/builders';
import { Faults, InMemoryOrders, NOW, basics, deliveryOf } from './fakes';
import { ORDER_ID, inventoryReservationFailed, orderCreated, paymentRefunded, sagaEvent } from './saga-events';

class FakeInventory implements InventoryOperations {
  readonly calls: string[] = [];
  readonly faults = new Faults();
  reserveResult: StepResult<{ items: SagaOrder['items'] }> = succeeded({ items: [{ productId: 'dog-food-5kg', quantity: 2 }] });
  releaseResult: CompensationOutcome = 'Compensated';

  async reserve(order: SagaOrder) {
    this.calls.push(`reserve ${order.orderId}`);
    this.faults.check();
    return this.reserveResult;
  }

  async release(order: SagaOrder) {
    this.calls.push(`release ${order.orderId}`);
    this.faults.check();
    return this.releaseResult;
  }
}

function participant() {
  const inventory = new FakeInventory();
  const deps = { ...basics(), inventory };
  return { deps, inventory, publisher: deps.publisher };
}

describe('inventory participant', () => {
  it('reserves on OrderCreated and announces InventoryReserved with the order lines', async () => {
    const { deps, inventory, publisher } = participant();
    await handleInventoryEvent(deps, deliveryOf(orderCreated()));

    expect(inventory.calls).toEqual([`reserve ${ORDER_ID}`]);
    expect(publisher.published).toEqual([
      {
        type: 'InventoryReserved',
        id: eventIdFor(ORDER_ID, 'InventoryReserved'),
        orderId: ORDER_ID,
        occurredAt: NOW,
        correlationId: ORDER_ID,
        data: { items: [{ productId: 'dog-food-5kg', quantity: 2 }], attempts: 1 },
      },
    ]);
  });

  it('announces a business failure at once, without a retry', async () => {
    const { deps, inventory, publisher } = participant();
    inventory.reserveResult = businessFailure('Only 1 of dog-food-5kg left');
    await handleInventoryEvent(deps, deliveryOf(orderCreated()));

    expect(publisher.published.map(({ type, data }) => ({ type, data }))).toEqual([
      { type: 'InventoryReservationFailed', data: { reason: 'Only 1 of dog-food-5kg left', attempts: 1 } },
    ]);
    expect(deps.pauses).toEqual([]);
  });

  it('hands a fault back to Service Bus, with back-off, until the step’s last allowed delivery', async () => {
    const { deps, inventory, publisher } = participant();
    inventory.faults.always();
    for (const deliveryCount of [1, 2]) {
      await expect(handleInventoryEvent(deps, deliveryOf(orderCreated(), deliveryCount))).rejects.toThrow('Cosmos DB is unavailable');
    }
    expect(publisher.published).toEqual([]);
    expect(deps.pauses).toEqual([500, 1000]);

    const last = deliveryOf(orderCreated(), 3);
    await handleInventoryEvent(deps, last);
    expect(publisher.published.map(({ type, data }) => ({ type, data }))).toEqual([
      {
        type: 'InventoryReservationFailed',
        data: { reason: 'ReserveInventory failed after 3 attempts: Cosmos DB is unavailable (503)', attempts: 3 },
      },
    ]);
    expect(last.log.errors()[0]).toContain('gave up on delivery 3 of 3');
  });

  it('counts attempts by delivery when a retry succeeds', async () => {
    const { deps, inventory, publisher } = participant();
    inventory.faults.next(1);
    await expect(handleInventoryEvent(deps, deliveryOf(orderCreated(), 1))).rejects.toThrow();
    await handleInventoryEvent(deps, deliveryOf(orderCreated(), 2));
    expect(publisher.published.map(({ type, data }) => `${type}:${data && 'attempts' in data ? data.attempts : ''}`)).toEqual([
      'InventoryReserved:2',
    ]);
  });

  it('retries a fault reading the order like any other fault', async () => {
    const { deps, publisher } = participant();
    deps.orders.faults.always();
    await expect(handleInventoryEvent(deps, deliveryOf(orderCreated(), 1))).rejects.toThrow();
    await handleInventoryEvent(deps, deliveryOf(orderCreated(), 3));
    expect(publisher.types()).toEqual(['InventoryReservationFailed']);
  });

  it('hands a publishing fault back even on the last delivery: the step’s outcome is not lost', async () => {
    const { deps, publisher } = participant();
    publisher.faults.next(1);
    await expect(handleInventoryEvent(deps, deliveryOf(orderCreated(), 5))).rejects.toThrow('Service Bus is unavailable');
    await handleInventoryEvent(deps, deliveryOf(orderCreated(), 5));
    expect(publisher.types()).toEqual(['InventoryReserved']);
  });

  it('waits out the back-off before handing a publishing fault back, and never makes up a failure', async () => {
    const { deps, inventory, publisher } = participant();
    publisher.faults.always();
    for (const deliveryCount of [1, 2, 3, 4]) {
      const delivery = deliveryOf(orderCreated(), deliveryCount);
      await expect(handleInventoryEvent(deps, delivery)).rejects.toThrow('Service Bus is unavailable');
      expect(delivery.log.lines.find((line) => line.level === 'warn')?.message).toContain(`InventoryReserved of order ${ORDER_ID}`);
    }
    expect(deps.pauses).toEqual([500, 1000, 2000, 4000]);
    // Decided on the first delivery: later deliveries announce that decision without reserving again.
    expect(inventory.calls).toHaveLength(1);
    expect(publisher.published).toEqual([]);
  });

  it('says on the queue’s last delivery that the message goes to the dead-letter queue, for an operator to resubmit', async () => {
    const { deps, publisher } = participant();
    publisher.faults.always();
    const last = deliveryOf(orderCreated(), 5);
    await expect(handleInventoryEvent(deps, last)).rejects.toThrow('Service Bus is unavailable');
    expect(deps.pauses).toEqual([]);
    expect(publisher.published).toEqual([]);
    const [error] = last.log.errors();
    expect(error).toContain(`InventoryReserved of order ${ORDER_ID}`);
    expect(error).toContain(`OrderCreated message ${eventIdFor(ORDER_ID, 'OrderCreated')}`);
    expect(error).toContain('inventory-events/$DeadLetterQueue');
    expect(error).toContain('resubmit');
  });

  it('backs off before handing back a fault publishing InventoryReleased, and names its dead-letter queue at the end', async () => {
    const { deps, publisher } = participant();
    publisher.faults.always();
    for (const deliveryCount of [1, 2, 3, 4]) {
      await expect(handleInventoryEvent(deps, deliveryOf(paymentRefunded(5), deliveryCount))).rejects.toThrow('Service Bus is unavailable');
    }
    expect(deps.pauses).toEqual([500, 1000, 2000, 4000]);
    const last = deliveryOf(paymentRefunded(5), 5);
    await expect(handleInventoryEvent(deps, last)).rejects.toThrow('Service Bus is unavailable');
    expect(deps.pauses).toHaveLength(4);
    expect(last.log.errors()[0]).toContain(`InventoryReleased of order ${ORDER_ID}`);
    expect(last.log.errors()[0]).toContain('inventory-events/$DeadLetterQueue');
    expect(publisher.published).toEqual([]);
  });

  it.each(['Completed', 'Cancelled', 'Failed'] as const)('does not reserve for an order that is already %s', async (status) => {
    const orders = new InMemoryOrders(aStoredOrder({ id: ORDER_ID, sagaStyle: 'choreography', status }));
    const inventory = new FakeInventory();
    const deps = { ...basics(orders), inventory };
    const late = deliveryOf(orderCreated(), 1);
    await handleInventoryEvent(deps, late);
    expect(inventory.calls).toEqual([]);
    expect(deps.publisher.published).toEqual([]);
    expect(late.log.lines.find((line) => line.level === 'warn')?.message).toContain(`order ${ORDER_ID} skipped: the order is already ${status}`);
  });

  it('reserves for an order the order participant already shows as Processing', async () => {
    const orders = new InMemoryOrders(aStoredOrder({ id: ORDER_ID, sagaStyle: 'choreography', status: 'Processing' }));
    const inventory = new FakeInventory();
    const deps = { ...basics(orders), inventory };
    await handleInventoryEvent(deps, deliveryOf(orderCreated()));
    expect(inventory.calls).toEqual([`reserve ${ORDER_ID}`]);
    expect(deps.publisher.types()).toEqual(['InventoryReserved']);
  });

  it.each([
    ['its own failed reservation', inventoryReservationFailed(1)],
    ['the refund', paymentRefunded(5)],
  ])('releases after %s and announces InventoryReleased', async (_after, trigger) => {
    const { deps, inventory, publisher } = participant();
    inventory.releaseResult = 'NothingToCompensate';
    await handleInventoryEvent(deps, deliveryOf(trigger, 2));
    expect(inventory.calls).toEqual([`release ${ORDER_ID}`]);
    expect(publisher.published.map(({ type, id, data }) => ({ type, id, data }))).toEqual([
      {
        type: 'InventoryReleased',
        id: eventIdFor(ORDER_ID, 'InventoryReleased'),
        data: { outcome: 'NothingToCompensate', attempts: 2, error: null },
      },
    ]);
  });

  it('still announces InventoryReleased after a refund that failed for good (best effort)', async () => {
    const { deps, inventory, publisher } = participant();
    await handleInventoryEvent(deps, deliveryOf(paymentRefunded(5, 'Failed', 5, 'refund failed')));
    expect(inventory.calls).toEqual([`release ${ORDER_ID}`]);
    expect(publisher.types()).toEqual(['InventoryReleased']);
  });

  it('retries a release on every delivery the queue allows, then announces it Failed', async () => {
    const { deps, inventory, publisher } = participant();
    inventory.faults.always();
    for (const deliveryCount of [1, 2, 3, 4]) {
      await expect(handleInventoryEvent(deps, deliveryOf(paymentRefunded(5), deliveryCount))).rejects.toThrow();
    }
    expect(deps.pauses).toEqual([500, 1000, 2000, 4000]);
    await handleInventoryEvent(deps, deliveryOf(paymentRefunded(5), 5));
    expect(publisher.published.map(({ type, data }) => ({ type, data }))).toEqual([
      {
        type: 'InventoryReleased',
        data: { outcome: 'Failed', attempts: 5, error: 'ReleaseInventory failed after 5 attempts: Cosmos DB is unavailable (503)' },
      },
    ]);
  });

  describe('rejects, on every delivery, a message it can never handle', () => {
    const orchestrated = sagaEvent('OrderCreated', 0, {
      customerId: 'c',
      sagaStyle: 'orchestration',
      items: [{ productId: 'dog-leash', quantity: 1 }],
      totalAmount: 15,
      currency: 'USD',
    });
    it.each([
      ['a body that is not JSON', '{"type": "OrderCreated",', 'Message body is not JSON'],
      ['an invalid envelope', { type: 'OrderCreated', orderId: ORDER_ID }, 'Invalid event envelope'],
      ['invalid data', { ...orderCreated(), data: { items: [] } }, 'Invalid OrderCreated data'],
      ['an event of another participant', sagaEvent('OrderFulfilled', 3, { trackingNumber: 't', attempts: 1 }), 'not an event the inventory participant handles'],
      ['an orchestrated order', orchestrated, 'runs as orchestration'],
    ])('%s', async (_what, body, reason) => {
      const { deps, inventory, publisher } = participant();
      for (const deliveryCount of [1, 5]) {
        const delivery = { ...deliveryOf(body, deliveryCount), messageId: 'msg-42' };
        const handled = handleInventoryEvent(deps, delivery);
        await expect(handled).rejects.toThrow(UnprocessableMessage);
        await expect(handled).rejects.toThrow(reason);
        expect(delivery.log.errors()[0]).toContain('msg-42');
        expect(delivery.log.errors()[0]).toContain(reason);
      }
      expect(inventory.calls).toEqual([]);
      expect(publisher.published).toEqual([]);
      expect(deps.pauses).toEqual([]);
    });
  });
});
