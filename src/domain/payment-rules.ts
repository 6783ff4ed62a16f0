/** Stripe's well-known "always declined" test card. */
export const DECLINED_TEST_CARD = '4000000000000002';
export const PAYMENT_LIMIT = 10_000;

/**
 * What the card's issuer will answer. The demo has no card network: the answer is a function of the number
 * alone, so it is taken when the order is accepted and kept instead of anything derived from the number.
 */
export type IssuerVerdict = 'approve' | 'decline';

export function issuerVerdictFor(cardNumber: string): IssuerVerdict {
  return cardNumber === DECLINED_TEST_CARD ? 'decline' : 'approve';
}

export type PaymentDecision = { approved: true } | { approved: false; reason: string };

/** `issuerVerdict` is null when no card was kept for the order (or not the one the saga refers to). */
export function decidePayment(input: { issuerVerdict: IssuerVerdict | null; amount: number }): PaymentDecision {
  if (input.issuerVerdict === null) return { approved: false, reason: 'No card on file for this order' };
  if (input.issuerVerdict === 'decline') return { approved: false, reason: 'Card declined by the issuer' };
  if (input.amount > PAYMENT_LIMIT) {
    return { approved: false, reason: `Amount ${input.amount} exceeds the payment limit of ${PAYMENT_LIMIT}` };
  }
  return { approved: true };
}
