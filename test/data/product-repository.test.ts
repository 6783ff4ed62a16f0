import { describe, expect, it } from 'vitest';
import { createProductRepository } from '../../src/data/product-repository';
import type { Product } from '../../src/domain';
import type { ProductRepository, ReserveOutcome } from '../../src/services/ports';
import { aProduct, uniqueId } from './builders';
import { useCosmosFixture } from './cosmos-fixture';

const cosmos = useCosmosFixture();

async function stocked(overrides: Partial<Product> = {}): Promise<Product> {
  const product = aProduct(overrides);
  await cosmos.current.repositories.products.ensureCatalog([product]);
  return product;
}

/** The hold documents in the product's partition, as order id → units held (0 for a released hold). */
async function storedHolds(productId: string): Promise<Record<string, number>> {
  const { resources } = await cosmos.current.containers.products.items
    .query<{ orderId: string; quantity: number; state: string }>({
      query: "SELECT * FROM c WHERE c.productId = @productId AND c.docType = 'hold'",
      parameters: [{ name: '@productId', value: productId }],
    })
    .fetchAll();
  return Object.fromEntries(resources.map((hold) => [hold.orderId, hold.state === 'held' ? hold.quantity : 0]));
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

describe('product repository: holds as documents', () => {
  it('keeps the product document the same size however many orders reserve it', async () => {
    const { containers } = cosmos.current;
    const { products } = cosmos.current.repositories;
    const product = await stocked({ available: 500 });
    const size = async () => {
      const { resource } = await containers.products.item(product.id, product.id).read<Record<string, unknown>>();
      return JSON.stringify({ ...resource, available: 0, reserved: 0, _etag: '', _ts: 0 }).length;
    };
    const before = await size();
    for (let index = 0; index < 60; index += 1) await products.reserve(product.id, uniqueId('grow'), 1);
    expect(await size()).toBe(before);
    expect(Object.keys(await storedHolds(product.id))).toHaveLength(60);
  });

  it('writes the stock change and the hold together or not at all', async () => {
    const { containers } = cosmos.current;
    const { products } = cosmos.current.repositories;
    const product = await stocked({ available: 10 });
    // A hold already there (written by an earlier attempt) makes the batch's create conflict: the stock must not move.
    await containers.products.items.create({ id: 'hold:ord-earlier', productId: product.id, docType: 'hold', orderId: 'ord-earlier', quantity: 3, state: 'held' });
    expect(await products.reserve(product.id, 'ord-earlier', 3)).toBe('already-reserved');
    expect(await products.get(product.id)).toMatchObject({ available: 10, reserved: 0 });
  });

  it('answers a retried reservation that took the last units as already reserved, not as out of stock', async () => {
    const { products } = cosmos.current.repositories;
    const product = await stocked({ available: 2 });
    expect(await products.reserve(product.id, 'ord-last', 2)).toBe('reserved');
    expect(await products.reserve(product.id, 'ord-last', 2)).toBe('already-reserved');
    expect(await products.reserve(product.id, 'ord-other', 1)).toBe('insufficient');
  });
});

const HOT_ORDERS = 200;

/** Reserves one unit for each of HOT_ORDERS orders at once, spread over the given repositories. */
async function hotReservations(repositories: ProductRepository[], productId: string): Promise<Array<{ orderId: string; outcome: ReserveOutcome; at: number }>> {
  let finished = 0;
  return Promise.all(
    Array.from({ length: HOT_ORDERS }, async (_, index) => {
      const orderId = uniqueId('hot');
      const outcome = await repositories[index % repositories.length].reserve(productId, orderId, 1);
      finished += 1;
      return { orderId, outcome, at: finished };
    }),
  );
}

describe(`product repository: ${HOT_ORDERS} concurrent reservations of one product`, () => {
  it('all succeed when there is enough stock', async () => {
    const { products } = cosmos.current.repositories;
    const product = await stocked({ available: HOT_ORDERS });
    const results = await hotReservations([products], product.id);
    expect(results.filter((result) => result.outcome === 'reserved')).toHaveLength(HOT_ORDERS);
    expect(await products.get(product.id)).toMatchObject({ available: 0, reserved: HOT_ORDERS });
    expect(Object.values(await storedHolds(product.id)).filter((quantity) => quantity === 1)).toHaveLength(HOT_ORDERS);
  });

  it('with 37 units exactly 37 reserve, and no order is refused while a unit is left', async () => {
    const { products } = cosmos.current.repositories;
    const product = await stocked({ available: 37 });
    const results = await hotReservations([products], product.id);
    const reserved = results.filter((result) => result.outcome === 'reserved');
    const refused = results.filter((result) => result.outcome !== 'reserved');
    expect(reserved).toHaveLength(37);
    expect(refused.every((result) => result.outcome === 'insufficient')).toBe(true);
    // One product's writers form a line in this process: every refusal comes after the last unit went.
    const lastReserved = Math.max(...reserved.map((result) => result.at));
    expect(refused.every((result) => result.at > lastReserved)).toBe(true);
    expect(await products.get(product.id)).toMatchObject({ available: 0, reserved: 37 });
    expect(Object.keys(await storedHolds(product.id)).sort()).toEqual(reserved.map((result) => result.orderId).sort());
  });

  it('holds up across processes racing on the ETag: all succeed with enough stock, exactly N with N units', async () => {
    const { containers } = cosmos.current;
    // Four repositories, each with its own line of writers, stand for four hosts sharing the database.
    const hosts = Array.from({ length: 4 }, () => createProductRepository(containers.products));
    const plenty = await stocked({ available: HOT_ORDERS });
    const all = await hotReservations(hosts, plenty.id);
    expect(all.filter((result) => result.outcome === 'reserved')).toHaveLength(HOT_ORDERS);
    expect(await hosts[0].get(plenty.id)).toMatchObject({ available: 0, reserved: HOT_ORDERS });

    const scarce = await stocked({ available: 50 });
    const some = await hotReservations(hosts, scarce.id);
    expect(some.filter((result) => result.outcome === 'reserved')).toHaveLength(50);
    expect(some.filter((result) => result.outcome === 'insufficient')).toHaveLength(HOT_ORDERS - 50);
    expect(await hosts[0].get(scarce.id)).toMatchObject({ available: 0, reserved: 50 });
    expect(Object.keys(await storedHolds(scarce.id))).toHaveLength(50);
  });
});
