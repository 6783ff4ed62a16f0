import { createHash } from 'node:crypto';

/** Stripe's well-known "always declined" test card. */
export const DECLINED_TEST_CARD = '4000000000000002';
export const PAYMENT_LIMIT = 10_000;

/** A one-way fingerprint lets the payment step recognise a card without the number ever being stored. */
export function cardFingerprint(cardNumber: string): string {
  return createHash('sha256').update(`card:${cardNumber}`).digest('hex');
}

export type PaymentDecision = { approved: true } | { approved: false; reason: string };

export function decidePayment(input: { cardFingerprint: string; amount: number }): PaymentDecision {
  if (input.cardFingerprint === cardFingerprint(DECLINED_TEST_CARD)) {
    return { approved: false, reason: 'Card declined by the issuer' };
  }
  if (input.amount > PAYMENT_LIMIT) {
    return { approved: false, reason: `Amount ${input.amount} exceeds the payment limit of ${PAYMENT_LIMIT}` };
  }
  return { approved: true };
}
