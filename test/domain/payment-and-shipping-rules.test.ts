import { describe, expect, it } from 'vitest';
import { decidePayment, decideShipping, DECLINED_TEST_CARD, issuerVerdictFor, PAYMENT_LIMIT } from '../../src/domain';

describe('decidePayment', () => {
  it('approves an ordinary card within the limit, up to and including it', () => {
    expect(decidePayment({ issuerVerdict: 'approve', amount: 25 })).toEqual({ approved: true });
    expect(decidePayment({ issuerVerdict: 'approve', amount: PAYMENT_LIMIT })).toEqual({ approved: true });
  });

  it('declines the declined test card whatever the amount', () => {
    expect(decidePayment({ issuerVerdict: 'decline', amount: 1 })).toEqual({
      approved: false,
      reason: 'Card declined by the issuer',
    });
  });

  it('declines a total above 10,000', () => {
    expect(decidePayment({ issuerVerdict: 'approve', amount: 10_000.01 })).toEqual({
      approved: false,
      reason: 'Amount 10000.01 exceeds the payment limit of 10000',
    });
  });

  it('declines when no card was kept for the order', () => {
    expect(decidePayment({ issuerVerdict: null, amount: 1 })).toEqual({ approved: false, reason: 'No card on file for this order' });
  });

  it('has the issuer decline the declined test card and approve any other', () => {
    expect(issuerVerdictFor(DECLINED_TEST_CARD)).toBe('decline');
    expect(issuerVerdictFor('4242424242424242')).toBe('approve');
    expect(issuerVerdictFor('5555555555554444')).toBe('approve');
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
