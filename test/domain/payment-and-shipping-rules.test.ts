import { describe, expect, it } from 'vitest';
import { cardFingerprint, decidePayment, decideShipping, DECLINED_TEST_CARD, PAYMENT_LIMIT } from '../../src/domain';

const goodCard = cardFingerprint('4242424242424242');

describe('decidePayment', () => {
  it('approves an ordinary card within the limit, up to and including it', () => {
    expect(decidePayment({ cardFingerprint: goodCard, amount: 25 })).toEqual({ approved: true });
    expect(decidePayment({ cardFingerprint: goodCard, amount: PAYMENT_LIMIT })).toEqual({ approved: true });
  });

  it('declines the declined test card whatever the amount', () => {
    expect(decidePayment({ cardFingerprint: cardFingerprint(DECLINED_TEST_CARD), amount: 1 })).toEqual({
      approved: false,
      reason: 'Card declined by the issuer',
    });
  });

  it('declines a total above 10,000', () => {
    expect(decidePayment({ cardFingerprint: goodCard, amount: 10_000.01 })).toEqual({
      approved: false,
      reason: 'Amount 10000.01 exceeds the payment limit of 10000',
    });
  });

  it('fingerprints a card one way and stably', () => {
    expect(cardFingerprint('4242424242424242')).toBe(goodCard);
    expect(goodCard).toMatch(/^[0-9a-f]{64}$/);
    expect(goodCard).not.toContain('4242');
  });
});

describe('decideShipping', () => {
  it.each(['US', 'DE', 'JP', 'NZ'])('delivers to %s', (country) => {
    expect(decideShipping(country)).toEqual({ deliverable: true });
  });

  it.each(['AQ', 'KP', 'us'])('refuses %s', (country) => {
    expect(decideShipping(country)).toEqual({ deliverable: false, reason: `Shipping to country "${country}" is not supported` });
  });
});
