import { createHash, randomUUID } from 'node:crypto';
import {
  businessFailure,
  decidePayment,
  issuerVerdictFor,
  SimulatedCompensationFault,
  succeeded,
  type SagaOrder,
  type StepResult,
} from '../domain';
import type { Clock, CompensationOutcome, PaymentMethodRepository, PaymentRecord, PaymentRepository } from './ports';

/** Derived from the order, so a charge retried after a timeout reuses the same transaction id. */
export function transactionIdFor(orderId: string): string {
  return `txn-${createHash('sha256').update(`payment:${orderId}`).digest('hex').slice(0, 24)}`;
}

/** Random, so it says nothing about the card; the order and the saga carry it instead of any card data. */
export function newPaymentReference(): string {
  return `pmr-${randomUUID().replace(/-/g, '')}`;
}

/** Where the card number stops: the order keeps its last four digits, the payment step the issuer's verdict. */
export interface CardKeeper {
  /**
   * Keeps the card for the order under `paymentReference`, once: when a card was already kept for the order
   * (a retried request), that one stays, and its reference is returned for the order to carry.
   */
  keepCard(card: { orderId: string; paymentReference: string; cardNumber: string }): Promise<string>;
}

const VOIDED_BEFORE_CHARGE = 'Voided by compensation before any charge';

/** The ProcessPayment step and its compensation, RefundPayment. One payment record per order. */
export class PaymentService implements CardKeeper {
  constructor(private readonly deps: { payments: PaymentRepository; paymentMethods: PaymentMethodRepository; clock: Clock }) {}

  async keepCard(card: { orderId: string; paymentReference: string; cardNumber: string }): Promise<string> {
    const { record } = await this.deps.paymentMethods.createOnce({
      orderId: card.orderId,
      paymentReference: card.paymentReference,
      issuerVerdict: issuerVerdictFor(card.cardNumber),
      createdAt: this.deps.clock.now().toISOString(),
    });
    return record.paymentReference;
  }

  /**
   * The decision is written once (Captured or Declined); a redelivered or retried charge reads that record
   * back instead of charging again, and a declined one keeps failing with the same reason.
   */
  async charge(order: SagaOrder): Promise<StepResult<{ transactionId: string }>> {
    const decision =
      order.simulateFailure === 'payment'
        ? { approved: false as const, reason: 'Simulated payment failure' }
        : decidePayment({ issuerVerdict: await this.issuerVerdictOf(order), amount: order.totalAmount });
    const now = this.deps.clock.now().toISOString();
    const { record } = await this.deps.payments.createOnce({
      orderId: order.orderId,
      amount: order.totalAmount,
      currency: order.currency,
      status: decision.approved ? 'Captured' : 'Declined',
      transactionId: decision.approved ? transactionIdFor(order.orderId) : null,
      reason: decision.approved ? null : decision.reason,
      createdAt: now,
      updatedAt: now,
    });
    return outcomeOf(record);
  }

  private async issuerVerdictOf(order: SagaOrder) {
    const card = await this.deps.paymentMethods.get(order.orderId);
    return card !== null && card.paymentReference === order.paymentReference ? card.issuerVerdict : null;
  }

  /**
   * Idempotent. When no charge was recorded yet, a Declined record is written first: a charge still in
   * flight (a timed-out attempt) then finds it and cannot capture after the saga has given up on it.
   */
  async refund(order: SagaOrder): Promise<CompensationOutcome> {
    if (order.simulateFailure === 'refund') {
      throw new SimulatedCompensationFault(`Simulated refund failure for order ${order.orderId}`);
    }
    const now = this.deps.clock.now().toISOString();
    const { created, record } = await this.deps.payments.createOnce({
      orderId: order.orderId,
      amount: order.totalAmount,
      currency: order.currency,
      status: 'Declined',
      transactionId: null,
      reason: VOIDED_BEFORE_CHARGE,
      createdAt: now,
      updatedAt: now,
    });
    if (created || record.status === 'Declined') return 'NothingToCompensate';
    if (record.status === 'Refunded') return 'Compensated';
    await this.deps.payments.update(order.orderId, (current) =>
      current.status === 'Captured' ? { ...current, status: 'Refunded', updatedAt: now } : null,
    );
    return 'Compensated';
  }
}

function outcomeOf(record: PaymentRecord): StepResult<{ transactionId: string }> {
  if (record.status === 'Captured' && record.transactionId) return succeeded({ transactionId: record.transactionId });
  if (record.status === 'Refunded') return businessFailure('Payment was already refunded');
  return businessFailure(record.reason ?? 'Payment declined');
}
