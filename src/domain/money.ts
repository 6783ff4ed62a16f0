/** Money is kept in the catalog currency with at most two decimals; rounding happens once, here. */
export function roundMoney(amount: number): number {
  return Math.round((amount + Number.EPSILON) * 100) / 100;
}

export const DEFAULT_CURRENCY = 'USD';
