import { describe, expect, it } from 'vitest';
import { cardFingerprint, DECLINED_TEST_CARD, SimulatedCompensationFault } from '../../src/domain';
import { PaymentService, transactionIdFor } from '../../src/services/payment-service';
import { aSagaOrder } from '../data/builders';
import { useCosmosFixture } from '../data/cosmos-fixture';
import { ManualClock } from './fakes';

const cosmos = useCosmosFixture();
const payments = () => new PaymentService({ payments: cosmos.current.repositories.payments, clock: new ManualClock() });

describe('PaymentService.charge', () => {
  it('captures the payment with a transaction id derived from the order', async () => {
    const order = aSagaOrder({ totalAmount: 99.5 });
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
    const order = aSagaOrder();
    const first = await payments().charge(order);
    expect(await payments().charge({ ...order, totalAmount: 20_000 })).toEqual(first);
  });

  it('declines the declined test card and records it', async () => {
    const order = aSagaOrder({ cardFingerprint: cardFingerprint(DECLINED_TEST_CARD) });
    expect(await payments().charge(order)).toEqual({ ok: false, reason: 'Card declined by the issuer' });
    expect(await cosmos.current.repositories.payments.get(order.orderId)).toMatchObject({ status: 'Declined', transactionId: null });
  });

  it('declines a total above 10,000, and keeps declining it on a retry', async () => {
    const order = aSagaOrder({ totalAmount: 10_000.01 });
    const declined = await payments().charge(order);
    expect(declined).toEqual({ ok: false, reason: 'Amount 10000.01 exceeds the payment limit of 10000' });
    expect(await payments().charge({ ...order, totalAmount: 1 })).toEqual(declined);
  });

  it('accepts exactly 10,000', async () => {
    expect((await payments().charge(aSagaOrder({ totalAmount: 10_000 }))).ok).toBe(true);
  });

  it('declines when the payment failure is simulated', async () => {
    const order = aSagaOrder({ simulateFailure: 'payment' });
    expect(await payments().charge(order)).toEqual({ ok: false, reason: 'Simulated payment failure' });
    expect((await cosmos.current.repositories.payments.get(order.orderId))?.status).toBe('Declined');
  });

  it.each(['inventory', 'fulfillment', 'refund'] as const)('captures when %s failure is simulated', async (simulateFailure) => {
    expect((await payments().charge(aSagaOrder({ simulateFailure }))).ok).toBe(true);
  });
});

describe('PaymentService.refund', () => {
  it('refunds a captured payment once: Compensated both times, Refunded stored', async () => {
    const order = aSagaOrder();
    await payments().charge(order);
    expect(await payments().refund(order)).toBe('Compensated');
    expect(await payments().refund(order)).toBe('Compensated');
    expect((await cosmos.current.repositories.payments.get(order.orderId))?.status).toBe('Refunded');
  });

  it('has nothing to compensate for a declined payment', async () => {
    const order = aSagaOrder({ cardFingerprint: cardFingerprint(DECLINED_TEST_CARD) });
    await payments().charge(order);
    expect(await payments().refund(order)).toBe('NothingToCompensate');
    expect((await cosmos.current.repositories.payments.get(order.orderId))?.status).toBe('Declined');
  });

  it('has nothing to compensate when no charge happened, and a late charge then cannot capture', async () => {
    const order = aSagaOrder();
    expect(await payments().refund(order)).toBe('NothingToCompensate');
    expect((await payments().charge(order)).ok).toBe(false);
  });

  it('does not let a refunded payment be charged again', async () => {
    const order = aSagaOrder();
    await payments().charge(order);
    await payments().refund(order);
    expect(await payments().charge(order)).toEqual({ ok: false, reason: 'Payment was already refunded' });
  });

  it('throws SimulatedCompensationFault on every attempt when the refund failure is simulated', async () => {
    const order = aSagaOrder({ simulateFailure: 'refund' });
    await payments().charge(order);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(payments().refund(order)).rejects.toBeInstanceOf(SimulatedCompensationFault);
    }
    expect((await cosmos.current.repositories.payments.get(order.orderId))?.status).toBe('Captured');
  });
});
