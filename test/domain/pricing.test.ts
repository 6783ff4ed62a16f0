import { describe, expect, it } from 'vitest';
import { DEMO_CATALOG, priceOrder, productFromCatalog, roundMoney, type Product } from '../../src/domain';

const catalog: ReadonlyMap<string, Product> = new Map(DEMO_CATALOG.map((entry) => [entry.id, productFromCatalog(entry)]));

describe('priceOrder', () => {
  it('prices every line from the catalog and totals to the cent', () => {
    const result = priceOrder(
      [
        { productId: 'dog-food-5kg', quantity: 3 },
        { productId: 'hamster-wheel', quantity: 7 },
      ],
      catalog,
    );
    expect(result).toEqual({
      ok: true,
      currency: 'USD',
      totalAmount: 144.9,
      items: [
        { productId: 'dog-food-5kg', productName: 'Dog food 5 kg', quantity: 3, unitPrice: 24.99 },
        { productId: 'hamster-wheel', productName: 'Hamster wheel', quantity: 7, unitPrice: 9.99 },
      ],
    });
  });

  it('lists every unknown product', () => {
    expect(
      priceOrder(
        [
          { productId: 'nope-1', quantity: 1 },
          { productId: 'dog-leash', quantity: 1 },
          { productId: 'nope-2', quantity: 1 },
        ],
        catalog,
      ),
    ).toEqual({ ok: false, unknownProductIds: ['nope-1', 'nope-2'] });
  });

  it('takes the currency from the catalog', () => {
    const euro = new Map([['x', { ...productFromCatalog(DEMO_CATALOG[0]), id: 'x', currency: 'EUR' }]]);
    expect(priceOrder([{ productId: 'x', quantity: 1 }], euro)).toMatchObject({ ok: true, currency: 'EUR' });
  });
});

describe('roundMoney', () => {
  it.each([
    [0.1 + 0.2, 0.3],
    [1.005, 1.01],
    [24.99 * 3, 74.97],
    [10, 10],
  ])('%d → %d', (amount, rounded) => {
    expect(roundMoney(amount)).toBe(rounded);
  });
});
