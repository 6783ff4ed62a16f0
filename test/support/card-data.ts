import { createHash } from 'node:crypto';
import { expect } from 'vitest';

/**
 * Every form of a card number that must never be readable outside the payment step: the number itself (plain
 * and grouped), its digits without the last four, and common hashes of it (the fingerprint this app once kept
 * among them) in the usual encodings.
 */
export function cardTraces(cardNumber: string): string[] {
  const withoutLast4 = cardNumber.slice(0, -4);
  const grouped = cardNumber.replace(/(\d{4})(?=\d)/g, '$1 ');
  const hashed = ['sha256', 'sha1', 'md5', 'sha512'].flatMap((algorithm) =>
    [cardNumber, `card:${cardNumber}`, withoutLast4].flatMap((text) => {
      const digest = createHash(algorithm).update(text).digest();
      return [digest.toString('hex'), digest.toString('base64'), digest.toString('base64url')];
    }),
  );
  return [cardNumber, withoutLast4, grouped, ...hashed];
}

export function expectNoCardData(text: string, cardNumber: string, where: string): void {
  const found = cardTraces(cardNumber).filter((trace) => text.toLowerCase().includes(trace.toLowerCase()));
  expect(found, `card data in ${where}`).toEqual([]);
}
