import { createHash } from 'node:crypto';
import {
  businessFailure,
  decidePayment,
  SimulatedCompensationFault,
  succeeded,
  type SagaOrder,
  type StepResult,
} from '../domain';
import type { Clock, CompensationOutcome, PaymentRecord, PaymentRepository } from './ports';

/** Derived from the order, so a charge retried after a timeout reuses the same transaction id. */
export function transactionIdFor(orderId: string): string {
  return `txn-${createHash('sha256').update(`payment:${orderId}`).digest('hex').slice(0, 24)}`;
}

const VOIDED_BEFORE_CHARGE = 'Voided by compensation before any charge';

/** The ProcessPayment step and its compensation, RefundPayment. One payment record per order. */
export class PaymentService {
  constructor(private readonly deps: { payments: PaymentRepository; clock: Clock }) {}

  /**
   * The decision is written once (Captured or Declined); a redelivered or retried charge reads that record
   * back instead of charging again, and a declined one keeps failing with the same reason.
   */
  async charge(order: SagaOrder): Promise<StepResult<{ transactionId: string }>> {
    const decision =
      order.simulateFailure === 'payment'
        ? { approved: false as const, reason: 'Simulated payment failure' }
        : decidePayment({ cardFingerprint: order.cardFingerprint, amount: order.totalAmount });
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
