import { describe, expect, it } from 'vitest';
import type { PaymentOperations } from '../../src/choreography/participant-ports';
import type { CompensationOutcome } from '../../src/services/ports';
import { handlePaymentEvent } from '../../src/choreography/payment-participant';
import { SimulatedCompensationFault, businessFailure, succeeded, type SagaOrder, type StepResult } from '../../src/domain';
import { basics, deliveryOf } from './fakes';
import { ORDER_ID, fulfillmentCancelled, inventoryReserved, orderCreated, paymentFailed } from './saga-events';

class FakePayment implements PaymentOperations {
  readonly calls: string[] = [];
  chargeResult: StepResult<{ transactionId: string }> = succeeded({ transactionId: 'txn-9' });
  refundResult: () => Promise<CompensationOutcome> = async () => 'Compensated';

  async charge(order: SagaOrder) {
    this.calls.push(`charge ${order.orderId} ${order.totalAmount}`);
    return this.chargeResult;
  }

  async refund(order: SagaOrder) {
    this.calls.push(`refund ${order.orderId}`);
    return this.refundResult();
  }
}

function participant() {
  const payment = new FakePayment();
  const deps = { ...basics(), payment };
  return { deps, payment, publisher: deps.publisher };
}

const announced = (events: ReturnType<typeof participant>['publisher']['published']) =>
  events.map(({ type, data }) => ({ type, data }));

describe('payment participant', () => {
  it('charges the order total on InventoryReserved and announces PaymentCompleted', async () => {
    const { deps, payment, publisher } = participant();
    await handlePaymentEvent(deps, deliveryOf(inventoryReserved(1)));
    expect(payment.calls).toEqual([`charge ${ORDER_ID} 49.98`]);
    expect(announced(publisher.published)).toEqual([
      { type: 'PaymentCompleted', data: { transactionId: 'txn-9', amount: 49.98, attempts: 1 } },
    ]);
  });

  it('announces a declined charge as PaymentFailed', async () => {
    const { deps, payment, publisher } = participant();
    payment.chargeResult = businessFailure('Card declined by the issuer');
    await handlePaymentEvent(deps, deliveryOf(inventoryReserved(1)));
    expect(announced(publisher.published)).toEqual([
      { type: 'PaymentFailed', data: { reason: 'Card declined by the issuer', attempts: 1 } },
    ]);
  });

  it.each([
    ['its own failure', paymentFailed(2), 'NothingToCompensate'],
    ['the cancelled fulfilment', fulfillmentCancelled(4), 'Compensated'],
  ] as const)('refunds after %s and announces PaymentRefunded', async (_after, trigger, outcome) => {
    const { deps, payment, publisher } = participant();
    payment.refundResult = async () => outcome;
    await handlePaymentEvent(deps, deliveryOf(trigger));
    expect(payment.calls).toEqual([`refund ${ORDER_ID}`]);
    expect(announced(publisher.published)).toEqual([{ type: 'PaymentRefunded', data: { outcome, attempts: 1, error: null } }]);
  });

  it('keeps retrying a refund that fails on every attempt, then announces it Failed so inventory still releases', async () => {
    const { deps, payment, publisher } = participant();
    payment.refundResult = async () => {
      throw new SimulatedCompensationFault('Simulated refund failure');
    };
    for (const deliveryCount of [1, 2, 3, 4]) {
      await expect(handlePaymentEvent(deps, deliveryOf(fulfillmentCancelled(4), deliveryCount))).rejects.toThrow(
        SimulatedCompensationFault,
      );
    }
    expect(publisher.published).toEqual([]);
    await handlePaymentEvent(deps, deliveryOf(fulfillmentCancelled(4), 5));
    expect(payment.calls).toHaveLength(5);
    expect(announced(publisher.published)).toEqual([
      {
        type: 'PaymentRefunded',
        data: { outcome: 'Failed', attempts: 5, error: 'RefundPayment failed after 5 attempts: Simulated refund failure' },
      },
    ]);
  });

  it('backs off before handing back a fault publishing PaymentRefunded, and names its dead-letter queue at the end', async () => {
    const { deps, publisher } = participant();
    publisher.faults.always();
    for (const deliveryCount of [1, 2, 3, 4]) {
      await expect(handlePaymentEvent(deps, deliveryOf(paymentFailed(2), deliveryCount))).rejects.toThrow('Service Bus is unavailable');
    }
    expect(deps.pauses).toEqual([500, 1000, 2000, 4000]);
    const last = deliveryOf(paymentFailed(2), 5);
    await expect(handlePaymentEvent(deps, last)).rejects.toThrow('Service Bus is unavailable');
    expect(deps.pauses).toHaveLength(4);
    expect(last.log.errors()[0]).toContain(`PaymentRefunded of order ${ORDER_ID}`);
    expect(last.log.errors()[0]).toContain('payment-events/$DeadLetterQueue');
    expect(publisher.published).toEqual([]);
  });

  it('does not react to OrderCreated, which is inventory’s', async () => {
    const { deps, payment } = participant();
    await expect(handlePaymentEvent(deps, deliveryOf(orderCreated()))).rejects.toThrow('not an event the payment participant handles');
    expect(payment.calls).toEqual([]);
  });
});
