import { describe, expect, it } from 'vitest';
import { handleFulfillmentEvent } from '../../src/choreography/fulfillment-participant';
import type { FulfillmentOperations } from '../../src/choreography/participant-ports';
import type { CompensationOutcome } from '../../src/services/ports';
import { businessFailure, succeeded, type SagaOrder, type StepResult } from '../../src/domain';
import { Faults, basics, deliveryOf } from './fakes';
import { ORDER_ID, fulfillmentFailed, paymentCompleted, paymentRefunded } from './saga-events';

class FakeFulfillment implements FulfillmentOperations {
  readonly calls: string[] = [];
  readonly faults = new Faults();
  fulfilResult: StepResult<{ trackingNumber: string }> = succeeded({ trackingNumber: 'TRK-77' });
  cancelResult: CompensationOutcome = 'Compensated';

  async fulfil(order: SagaOrder) {
    this.calls.push(`fulfil ${order.orderId} ${order.shippingCountry}`);
    this.faults.check();
    return this.fulfilResult;
  }

  async cancel(order: SagaOrder) {
    this.calls.push(`cancel ${order.orderId}`);
    this.faults.check();
    return this.cancelResult;
  }
}

function participant() {
  const fulfillment = new FakeFulfillment();
  const deps = { ...basics(), fulfillment };
  return { deps, fulfillment, announced: () => deps.publisher.published.map(({ type, data }) => ({ type, data })) };
}

describe('fulfillment participant', () => {
  it('ships on PaymentCompleted and announces OrderFulfilled', async () => {
    const { deps, fulfillment, announced } = participant();
    await handleFulfillmentEvent(deps, deliveryOf(paymentCompleted(2)));
    expect(fulfillment.calls).toEqual([`fulfil ${ORDER_ID} US`]);
    expect(announced()).toEqual([{ type: 'OrderFulfilled', data: { trackingNumber: 'TRK-77', attempts: 1 } }]);
  });

  it('announces an undeliverable address as FulfillmentFailed', async () => {
    const { deps, fulfillment, announced } = participant();
    fulfillment.fulfilResult = businessFailure('Shipping to country "AQ" is not supported');
    await handleFulfillmentEvent(deps, deliveryOf(paymentCompleted(2)));
    expect(announced()).toEqual([
      { type: 'FulfillmentFailed', data: { reason: 'Shipping to country "AQ" is not supported', attempts: 1 } },
    ]);
  });

  it('turns faults on every allowed delivery into FulfillmentFailed, so the compensations start', async () => {
    const { deps, fulfillment, announced } = participant();
    fulfillment.faults.always();
    await expect(handleFulfillmentEvent(deps, deliveryOf(paymentCompleted(2), 2))).rejects.toThrow();
    await handleFulfillmentEvent(deps, deliveryOf(paymentCompleted(2), 3));
    expect(announced()).toEqual([
      { type: 'FulfillmentFailed', data: { reason: 'FulfillOrder failed after 3 attempts: Cosmos DB is unavailable (503)', attempts: 3 } },
    ]);
  });

  it('cancels after its own failure and announces FulfillmentCancelled', async () => {
    const { deps, fulfillment, announced } = participant();
    fulfillment.cancelResult = 'NothingToCompensate';
    await handleFulfillmentEvent(deps, deliveryOf(fulfillmentFailed(3)));
    expect(fulfillment.calls).toEqual([`cancel ${ORDER_ID}`]);
    expect(announced()).toEqual([{ type: 'FulfillmentCancelled', data: { outcome: 'NothingToCompensate', attempts: 1, error: null } }]);
  });

  it('does not react to compensations further down the chain', async () => {
    const { deps, fulfillment } = participant();
    await expect(handleFulfillmentEvent(deps, deliveryOf(paymentRefunded(5)))).rejects.toThrow(
      'not an event the fulfillment participant handles',
    );
    expect(fulfillment.calls).toEqual([]);
  });
});
