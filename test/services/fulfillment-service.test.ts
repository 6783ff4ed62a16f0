import { describe, expect, it } from 'vitest';
import { FulfillmentService, trackingNumberFor } from '../../src/services/fulfillment-service';
import { aSagaOrder } from '../data/builders';
import { useCosmosFixture } from '../data/cosmos-fixture';
import { ManualClock } from './fakes';

const cosmos = useCosmosFixture();
const fulfillment = () => new FulfillmentService({ shipments: cosmos.current.repositories.shipments, clock: new ManualClock() });

describe('FulfillmentService.fulfil', () => {
  it('ships to a supported country with a tracking number derived from the order, once', async () => {
    const order = aSagaOrder({ shippingCountry: 'DE' });
    const first = await fulfillment().fulfil(order);
    expect(first).toEqual({ ok: true, value: { trackingNumber: trackingNumberFor(order.orderId) } });
    expect(await fulfillment().fulfil(order)).toEqual(first);
    expect(await cosmos.current.repositories.shipments.get(order.orderId)).toMatchObject({ status: 'Shipped', country: 'DE' });
  });

  it('fails for Antarctica and ships nothing', async () => {
    const order = aSagaOrder({ shippingCountry: 'AQ' });
    expect(await fulfillment().fulfil(order)).toEqual({ ok: false, reason: 'Shipping to country "AQ" is not supported' });
    expect(await cosmos.current.repositories.shipments.get(order.orderId)).toBeNull();
  });

  it.each(['fulfillment', 'refund'] as const)('fails without shipping when %s failure is simulated', async (simulateFailure) => {
    const order = aSagaOrder({ simulateFailure });
    expect(await fulfillment().fulfil(order)).toEqual({ ok: false, reason: 'Simulated fulfilment failure' });
    expect(await cosmos.current.repositories.shipments.get(order.orderId)).toBeNull();
  });

  it.each(['inventory', 'payment'] as const)('ships when %s failure is simulated', async (simulateFailure) => {
    expect((await fulfillment().fulfil(aSagaOrder({ simulateFailure }))).ok).toBe(true);
  });
});

describe('FulfillmentService.cancel', () => {
  it('cancels a shipment once: Compensated both times', async () => {
    const order = aSagaOrder();
    await fulfillment().fulfil(order);
    expect(await fulfillment().cancel(order)).toBe('Compensated');
    expect(await fulfillment().cancel(order)).toBe('Compensated');
    expect((await cosmos.current.repositories.shipments.get(order.orderId))?.status).toBe('Cancelled');
  });

  it('has nothing to compensate when nothing shipped, and a late fulfilment then cannot ship', async () => {
    const order = aSagaOrder();
    expect(await fulfillment().cancel(order)).toBe('NothingToCompensate');
    expect(await fulfillment().cancel(order)).toBe('NothingToCompensate');
    expect(await fulfillment().fulfil(order)).toEqual({ ok: false, reason: 'Fulfilment was cancelled' });
  });
});
