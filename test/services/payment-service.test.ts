import { describe, expect, it } from 'vitest';
import { DECLINED_TEST_CARD, SimulatedCompensationFault, type SagaOrder } from '../../src/domain';
import { newPaymentReference, PaymentService, transactionIdFor } from '../../src/services/payment-service';
import { aSagaOrder } from '../data/builders';
import { useCosmosFixture } from '../data/cosmos-fixture';
import { expectNoCardData } from '../support/card-data';
import { ManualClock } from './fakes';

const cosmos = useCosmosFixture();
const payments = () =>
  new PaymentService({
    payments: cosmos.current.repositories.payments,
    paymentMethods: cosmos.current.repositories.paymentMethods,
    clock: new ManualClock(),
  });
const GOOD_CARD = '4242424242424242';

/** A saga order whose card was kept when it was accepted, as the order service does. */
async function withCard(cardNumber: string, overrides: Partial<SagaOrder> = {}): Promise<SagaOrder> {
  const order = aSagaOrder(overrides);
  const paymentReference = await payments().keepCard({ orderId: order.orderId, paymentReference: newPaymentReference(), cardNumber });
  return { ...order, paymentReference };
}

describe('PaymentService.charge', () => {
  it('captures the payment with a transaction id derived from the order', async () => {
    const order = await withCard(GOOD_CARD, { totalAmount: 99.5 });
    expect(await payments().charge(order)).toEqual({ ok: true, value: { transactionId: transactionIdFor(order.orderId) } });
    expect(await cosmos.current.repositories.payments.get(order.orderId)).toMatchObject({
      status: 'Captured',
      amount: 99.5,
      currency: 'USD',
      transactionId: transactionIdFor(order.orderId),
    });
    expect(transactionIdFor(order.orderId)).not.toBe(transactionIdFor(`${order.orderId}x`));
  });

  it('charges once however often it runs', async () => {
    const order = await withCard(GOOD_CARD);
    const first = await payments().charge(order);
    expect(await payments().charge({ ...order, totalAmount: 20_000 })).toEqual(first);
  });

  it('declines the declined test card and records it', async () => {
    const order = await withCard(DECLINED_TEST_CARD);
    expect(await payments().charge(order)).toEqual({ ok: false, reason: 'Card declined by the issuer' });
    expect(await cosmos.current.repositories.payments.get(order.orderId)).toMatchObject({ status: 'Declined', transactionId: null });
  });

  it('declines a total above 10,000, and keeps declining it on a retry', async () => {
    const order = await withCard(GOOD_CARD, { totalAmount: 10_000.01 });
    const declined = await payments().charge(order);
    expect(declined).toEqual({ ok: false, reason: 'Amount 10000.01 exceeds the payment limit of 10000' });
    expect(await payments().charge({ ...order, totalAmount: 1 })).toEqual(declined);
  });

  it('accepts exactly 10,000', async () => {
    expect((await payments().charge(await withCard(GOOD_CARD, { totalAmount: 10_000 }))).ok).toBe(true);
  });

  it('declines when the payment failure is simulated', async () => {
    const order = await withCard(GOOD_CARD, { simulateFailure: 'payment' });
    expect(await payments().charge(order)).toEqual({ ok: false, reason: 'Simulated payment failure' });
    expect((await cosmos.current.repositories.payments.get(order.orderId))?.status).toBe('Declined');
  });

  it.each(['inventory', 'fulfillment', 'refund'] as const)('captures when %s failure is simulated', async (simulateFailure) => {
    expect((await payments().charge(await withCard(GOOD_CARD, { simulateFailure }))).ok).toBe(true);
  });
});

describe('PaymentService: the card is kept, never any card data', () => {
  it('keeps only the issuer verdict under an opaque reference, once per order', async () => {
    const order = aSagaOrder();
    const reference = newPaymentReference();
    expect(await payments().keepCard({ orderId: order.orderId, paymentReference: reference, cardNumber: DECLINED_TEST_CARD })).toBe(reference);
    // A retried request keeps the first card and gets the first reference back.
    expect(await payments().keepCard({ orderId: order.orderId, paymentReference: newPaymentReference(), cardNumber: GOOD_CARD })).toBe(
      reference,
    );
    const kept = await cosmos.current.repositories.paymentMethods.get(order.orderId);
    expect(kept).toEqual({ orderId: order.orderId, paymentReference: reference, issuerVerdict: 'decline', createdAt: expect.any(String) });
    const { resource } = await cosmos.current.containers.payments.item(`${order.orderId}.card`, order.orderId).read();
    expectNoCardData(JSON.stringify(resource), DECLINED_TEST_CARD, 'the payments container');
    expect(await payments().charge({ ...order, paymentReference: reference })).toEqual({ ok: false, reason: 'Card declined by the issuer' });
  });

  it('declines a saga whose reference is not the kept card, or whose order has no card kept', async () => {
    const order = await withCard(GOOD_CARD);
    expect(await payments().charge({ ...order, paymentReference: newPaymentReference() })).toEqual({
      ok: false,
      reason: 'No card on file for this order',
    });
    expect(await payments().charge(aSagaOrder())).toEqual({ ok: false, reason: 'No card on file for this order' });
  });

  it('keeps the payment record and the kept card apart in one partition', async () => {
    const order = await withCard(GOOD_CARD);
    await payments().charge(order);
    expect((await cosmos.current.repositories.payments.get(order.orderId))?.status).toBe('Captured');
    expect((await cosmos.current.repositories.paymentMethods.get(order.orderId))?.issuerVerdict).toBe('approve');
  });
});

describe('PaymentService.refund', () => {
  it('refunds a captured payment once: Compensated both times, Refunded stored', async () => {
    const order = await withCard(GOOD_CARD);
    await payments().charge(order);
    expect(await payments().refund(order)).toBe('Compensated');
    expect(await payments().refund(order)).toBe('Compensated');
    expect((await cosmos.current.repositories.payments.get(order.orderId))?.status).toBe('Refunded');
  });

  it('has nothing to compensate for a declined payment', async () => {
    const order = await withCard(DECLINED_TEST_CARD);
    await payments().charge(order);
    expect(await payments().refund(order)).toBe('NothingToCompensate');
    expect((await cosmos.current.repositories.payments.get(order.orderId))?.status).toBe('Declined');
  });

  it('has nothing to compensate when no charge happened, and a late charge then cannot capture', async () => {
    const order = await withCard(GOOD_CARD);
    expect(await payments().refund(order)).toBe('NothingToCompensate');
    expect((await payments().charge(order)).ok).toBe(false);
  });

  it('does not let a refunded payment be charged again', async () => {
    const order = await withCard(GOOD_CARD);
    await payments().charge(order);
    await payments().refund(order);
    expect(await payments().charge(order)).toEqual({ ok: false, reason: 'Payment was already refunded' });
  });

  it('throws SimulatedCompensationFault on every attempt when the refund failure is simulated', async () => {
    const order = await withCard(GOOD_CARD, { simulateFailure: 'refund' });
    await payments().charge(order);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(payments().refund(order)).rejects.toBeInstanceOf(SimulatedCompensationFault);
    }
    expect((await cosmos.current.repositories.payments.get(order.orderId))?.status).toBe('Captured');
  });
});
