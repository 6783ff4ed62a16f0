import { describe, expect, it } from 'vitest';
import type { Product } from '../../src/domain';
import type { ReserveOutcome } from '../../src/services/ports';
import { aProduct, uniqueId } from './builders';
import { useCosmosFixture } from './cosmos-fixture';

const cosmos = useCosmosFixture();

async function stocked(overrides: Partial<Product> = {}): Promise<Product> {
  const product = aProduct(overrides);
  await cosmos.current.repositories.products.ensureCatalog([product]);
  return product;
}

async function storedHolds(productId: string): Promise<Record<string, number>> {
  const { resource } = await cosmos.current.containers.products.item(productId, productId).read<{ holds: Record<string, number> }>();
  return resource?.holds ?? {};
}

describe('product repository: catalog', () => {
  it('creates missing products and leaves existing ones and their stock alone', async () => {
    const { products } = cosmos.current.repositories;
    const existing = await stocked({ available: 3 });
    await products.reserve(existing.id, 'ord-a', 1);
    const fresh = aProduct();
    const result = await products.ensureCatalog([existing, fresh]);
    expect(result).toEqual({ created: [fresh.id], existing: [existing.id] });
    expect(await products.get(existing.id)).toMatchObject({ available: 2, reserved: 1 });
    expect(await products.get(fresh.id)).toEqual(fresh);
  });

  it('reads products without holds or Cosmos system properties', async () => {
    const { products } = cosmos.current.repositories;
    const product = await stocked();
    await products.reserve(product.id, 'ord-b', 2);
    const read = await products.get(product.id);
    expect(Object.keys(read ?? {}).sort()).toEqual(['available', 'category', 'currency', 'id', 'name', 'price', 'reserved']);
    const listed = (await products.list()).find((candidate) => candidate.id === product.id);
    expect(listed).toEqual(read);
  });

  it('answers null for an unknown product and leaves it out of getMany', async () => {
    const { products } = cosmos.current.repositories;
    const product = await stocked();
    expect(await products.get('no-such-product')).toBeNull();
    const many = await products.getMany([product.id, 'no-such-product', product.id]);
    expect([...many.keys()]).toEqual([product.id]);
  });
});

describe('product repository: reservations', () => {
  it('holds stock for an order once, however often it is asked', async () => {
    const { products } = cosmos.current.repositories;
    const product = await stocked({ available: 10 });
    expect(await products.reserve(product.id, 'ord-1', 4)).toBe('reserved');
    expect(await products.reserve(product.id, 'ord-1', 4)).toBe('already-reserved');
    expect(await products.get(product.id)).toMatchObject({ available: 6, reserved: 4 });
    expect(await storedHolds(product.id)).toEqual({ 'ord-1': 4 });
  });

  it('gives back what the order holds, once', async () => {
    const { products } = cosmos.current.repositories;
    const product = await stocked({ available: 10 });
    await products.reserve(product.id, 'ord-1', 4);
    await products.reserve(product.id, 'ord-2', 1);
    expect(await products.release(product.id, 'ord-1')).toBe('released');
    expect(await products.release(product.id, 'ord-1')).toBe('nothing-held');
    expect(await products.get(product.id)).toMatchObject({ available: 9, reserved: 1 });
    expect(await storedHolds(product.id)).toEqual({ 'ord-1': 0, 'ord-2': 1 });
  });

  it('refuses a reservation that arrives after the release, so no stock is held for a finished saga', async () => {
    const { products } = cosmos.current.repositories;
    const product = await stocked({ available: 10 });
    await products.reserve(product.id, 'ord-late', 2);
    await products.release(product.id, 'ord-late');
    expect(await products.reserve(product.id, 'ord-late', 2)).toBe('released');
    expect(await products.get(product.id)).toMatchObject({ available: 10, reserved: 0 });

    // A release for an order that never held anything leaves the same marker behind.
    expect(await products.release(product.id, 'ord-never')).toBe('nothing-held');
    expect(await products.reserve(product.id, 'ord-never', 1)).toBe('released');
    expect(await products.get(product.id)).toMatchObject({ available: 10, reserved: 0 });
  });

  it('refuses more than is available and changes nothing', async () => {
    const { products } = cosmos.current.repositories;
    const product = await stocked({ available: 3 });
    expect(await products.reserve(product.id, 'ord-1', 4)).toBe('insufficient');
    expect(await products.get(product.id)).toMatchObject({ available: 3, reserved: 0 });
    expect(await products.reserve(product.id, 'ord-1', 3)).toBe('reserved');
    expect(await products.get(product.id)).toMatchObject({ available: 0, reserved: 3 });
  });

  it('reports an unknown product and releases nothing for it', async () => {
    const { products } = cosmos.current.repositories;
    expect(await products.reserve('no-such-product', 'ord-1', 1)).toBe('unknown-product');
    expect(await products.release('no-such-product', 'ord-1')).toBe('nothing-held');
  });

  it('never oversells: 50 concurrent orders race for 10 units', async () => {
    const { products } = cosmos.current.repositories;
    const product = await stocked({ available: 10 });
    const orderIds = Array.from({ length: 50 }, () => uniqueId('race'));

    let observing = true;
    const observed: Array<{ available: number; reserved: number }> = [];
    const observer = (async () => {
      while (observing) {
        const { resource } = await cosmos.current.containers.products.item(product.id, product.id).read<Product>();
        if (resource) observed.push({ available: resource.available, reserved: resource.reserved });
      }
    })();

    const outcomes: ReserveOutcome[] = await Promise.all(orderIds.map((orderId) => products.reserve(product.id, orderId, 1)));
    observing = false;
    await observer;

    const reservedBy = orderIds.filter((_, index) => outcomes[index] === 'reserved');
    expect(reservedBy).toHaveLength(10);
    expect(outcomes.filter((outcome) => outcome === 'insufficient')).toHaveLength(40);
    expect(await products.get(product.id)).toMatchObject({ available: 0, reserved: 10 });
    const holds = await storedHolds(product.id);
    expect(Object.keys(holds).sort()).toEqual([...reservedBy].sort());
    expect(Object.values(holds).every((quantity) => quantity === 1)).toBe(true);
    expect(observed.length).toBeGreaterThan(0);
    for (const snapshot of observed) {
      expect(snapshot.available).toBeGreaterThanOrEqual(0);
      expect(snapshot.available + snapshot.reserved).toBe(10);
    }
  });

  it('keeps stock consistent when reservations and releases race', async () => {
    const { products } = cosmos.current.repositories;
    const product = await stocked({ available: 20 });
    const orderIds = Array.from({ length: 20 }, () => uniqueId('churn'));
    await Promise.all(orderIds.map((orderId) => products.reserve(product.id, orderId, 1)));
    const releasing = orderIds.slice(0, 10);
    await Promise.all([
      ...releasing.map((orderId) => products.release(product.id, orderId)),
      ...releasing.map((orderId) => products.release(product.id, orderId)),
    ]);
    expect(await products.get(product.id)).toMatchObject({ available: 10, reserved: 10 });
    const holds = await storedHolds(product.id);
    expect(Object.keys(holds).filter((orderId) => holds[orderId] > 0).sort()).toEqual(orderIds.slice(10).sort());
    expect(releasing.every((orderId) => holds[orderId] === 0)).toBe(true);
  });
});
