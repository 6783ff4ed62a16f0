import { describe, expect, it } from 'vitest';
import type { Product } from '../../src/domain';
import { InventoryService } from '../../src/services/inventory-service';
import { aProduct, aSagaOrder } from '../data/builders';
import { useCosmosFixture } from '../data/cosmos-fixture';

const cosmos = useCosmosFixture();

async function stock(...products: Product[]): Promise<Product[]> {
  await cosmos.current.repositories.products.ensureCatalog(products);
  return products;
}

async function stockLevels(products: Product[]): Promise<Array<Pick<Product, 'id' | 'available' | 'reserved'>>> {
  const found = await cosmos.current.repositories.products.getMany(products.map((product) => product.id));
  return products.map((product) => {
    const current = found.get(product.id);
    return { id: product.id, available: current?.available ?? -1, reserved: current?.reserved ?? -1 };
  });
}

const inventory = () => new InventoryService({ products: cosmos.current.repositories.products });

describe('InventoryService.reserve', () => {
  it('reserves every line and reports them in productId order', async () => {
    const [b, a] = await stock(aProduct({ id: `b-${Date.now()}`, available: 5 }), aProduct({ id: `a-${Date.now()}`, available: 5 }));
    const order = aSagaOrder({
      items: [
        { productId: b.id, quantity: 2 },
        { productId: a.id, quantity: 3 },
      ],
    });
    expect(await inventory().reserve(order)).toEqual({
      ok: true,
      value: {
        items: [
          { productId: a.id, quantity: 3 },
          { productId: b.id, quantity: 2 },
        ],
      },
    });
    expect(await stockLevels([a, b])).toEqual([
      { id: a.id, available: 2, reserved: 3 },
      { id: b.id, available: 3, reserved: 2 },
    ]);
  });

  it('is idempotent: reserving twice holds the stock once', async () => {
    const [product] = await stock(aProduct({ available: 5 }));
    const order = aSagaOrder({ items: [{ productId: product.id, quantity: 2 }] });
    const first = await inventory().reserve(order);
    expect(await inventory().reserve(order)).toEqual(first);
    expect(await stockLevels([product])).toEqual([{ id: product.id, available: 3, reserved: 2 }]);
  });

  it('is all or nothing: one short line leaves every product as it was, and names the shortfall', async () => {
    const products = await stock(aProduct({ id: `p1-${Date.now()}`, available: 5 }), aProduct({ id: `p2-${Date.now()}`, available: 1 }), aProduct({ id: `p3-${Date.now()}`, available: 5 }));
    const before = await stockLevels(products);
    const order = aSagaOrder({
      items: [
        { productId: products[0].id, quantity: 2 },
        { productId: products[1].id, quantity: 4 },
        { productId: products[2].id, quantity: 2 },
      ],
    });
    const result = await inventory().reserve(order);
    expect(result).toEqual({
      ok: false,
      reason: `Insufficient stock for product ${products[1].id}: requested 4, available 1 (short by 3)`,
    });
    expect(await stockLevels(products)).toEqual(before);
  });

  it('fails for a product that is not in the catalog and releases what it held', async () => {
    const [product] = await stock(aProduct({ id: `aa-${Date.now()}`, available: 5 }));
    const order = aSagaOrder({
      items: [
        { productId: product.id, quantity: 1 },
        { productId: 'zz-not-in-catalog', quantity: 1 },
      ],
    });
    const result = await inventory().reserve(order);
    expect(result).toEqual({ ok: false, reason: 'Product zz-not-in-catalog is not in the catalog' });
    expect(await stockLevels([product])).toEqual([{ id: product.id, available: 5, reserved: 0 }]);
  });

  it('fails without reserving when the inventory failure is simulated', async () => {
    const [product] = await stock(aProduct({ available: 5 }));
    const order = aSagaOrder({ items: [{ productId: product.id, quantity: 1 }], simulateFailure: 'inventory' });
    expect(await inventory().reserve(order)).toEqual({ ok: false, reason: 'Simulated inventory failure' });
    expect(await stockLevels([product])).toEqual([{ id: product.id, available: 5, reserved: 0 }]);
  });

  it.each(['payment', 'fulfillment', 'refund'] as const)('reserves normally when %s failure is simulated', async (simulateFailure) => {
    const [product] = await stock(aProduct({ available: 5 }));
    const order = aSagaOrder({ items: [{ productId: product.id, quantity: 1 }], simulateFailure });
    expect((await inventory().reserve(order)).ok).toBe(true);
  });
});

describe('InventoryService.release', () => {
  it('gives the stock back once: Compensated, then NothingToCompensate', async () => {
    const [product] = await stock(aProduct({ available: 5 }));
    const order = aSagaOrder({ items: [{ productId: product.id, quantity: 4 }] });
    await inventory().reserve(order);
    expect(await inventory().release(order)).toBe('Compensated');
    expect(await inventory().release(order)).toBe('NothingToCompensate');
    expect(await stockLevels([product])).toEqual([{ id: product.id, available: 5, reserved: 0 }]);
  });

  it('fails a reservation that arrives after the release, holding nothing', async () => {
    const [product] = await stock(aProduct({ available: 5 }));
    const order = aSagaOrder({ items: [{ productId: product.id, quantity: 2 }] });
    await inventory().reserve(order);
    await inventory().release(order);
    const late = await inventory().reserve(order);
    expect(late).toEqual({ ok: false, reason: expect.stringContaining('already released') });
    expect(await stockLevels([product])).toEqual([{ id: product.id, available: 5, reserved: 0 }]);
  });

  it('has nothing to compensate for an order that reserved nothing', async () => {
    const [product] = await stock(aProduct({ available: 5 }));
    const order = aSagaOrder({ items: [{ productId: product.id, quantity: 1 }], simulateFailure: 'inventory' });
    await inventory().reserve(order);
    expect(await inventory().release(order)).toBe('NothingToCompensate');
  });

  it('never oversells when 50 orders race for 10 units through the service', async () => {
    const [product] = await stock(aProduct({ available: 10 }));
    const orders = Array.from({ length: 50 }, () => aSagaOrder({ items: [{ productId: product.id, quantity: 1 }] }));
    const results = await Promise.all(orders.map((order) => inventory().reserve(order)));
    expect(results.filter((result) => result.ok)).toHaveLength(10);
    expect(results.filter((result) => !result.ok)).toHaveLength(40);
    expect(await stockLevels([product])).toEqual([{ id: product.id, available: 0, reserved: 10 }]);
  });
});

describe('InventoryService under contention: 200 orders for one product at once', () => {
  it('reserves every order when there is stock for all of them', async () => {
    const [product] = await stock(aProduct({ available: 200 }));
    const orders = Array.from({ length: 200 }, () => aSagaOrder({ items: [{ productId: product.id, quantity: 1 }] }));
    const results = await Promise.all(orders.map((order) => inventory().reserve(order)));
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(await stockLevels([product])).toEqual([{ id: product.id, available: 0, reserved: 200 }]);
  });

  it('with 25 units reserves exactly 25, refuses the rest as out of stock, and gives back what the refused held', async () => {
    const [product] = await stock(aProduct({ available: 25 }));
    const orders = Array.from({ length: 200 }, () => aSagaOrder({ items: [{ productId: product.id, quantity: 1 }] }));
    const results = await Promise.all(orders.map((order) => inventory().reserve(order)));
    expect(results.filter((result) => result.ok)).toHaveLength(25);
    const refusals = results.flatMap((result) => (result.ok ? [] : [result.reason]));
    expect(refusals).toHaveLength(175);
    expect(refusals.every((reason) => reason.startsWith(`Insufficient stock for product ${product.id}`))).toBe(true);
    expect(await stockLevels([product])).toEqual([{ id: product.id, available: 0, reserved: 25 }]);
  });
});
