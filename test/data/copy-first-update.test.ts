import { Item, Items } from '@azure/cosmos';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDocumentCache } from '../../src/data/document-cache';
import { createOrderRepository } from '../../src/data/order-repository';
import { createProductRepository } from '../../src/data/product-repository';
import { createSagaRepository } from '../../src/data/saga-repository';
import { recordStepAttempt, recordStepSucceeded, finishSaga, type StoredOrder } from '../../src/domain';
import { aProduct, aSaga, aStoredOrder, uniqueId } from './builders';
import { useCosmosFixture } from './cosmos-fixture';

/*
 * Updates start from the copy of the document this process last read or wrote: the saga record and the order
 * it mirrors are written after every step, and a read before each write bought nothing. The copy's ETag keeps
 * every write conditional, so another writer (another process, the API, the sweeper) is never overwritten.
 */
const cosmos = useCosmosFixture();

/** Counts the SDK's point reads and creates from here on (the real SDK, against the real server). */
function countRequests() {
  const reads = vi.spyOn(Item.prototype, 'read');
  const replaces = vi.spyOn(Item.prototype, 'replace');
  const creates = vi.spyOn(Items.prototype, 'create');
  return { reads: () => reads.mock.calls.length, replaces: () => replaces.mock.calls.length, creates: () => creates.mock.calls.length };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('order updates from the copy last written', () => {
  it('updates an order it created, and again, without reading it', async () => {
    const orders = createOrderRepository(cosmos.current.containers.orders);
    const order = aStoredOrder();
    await orders.create(order);
    const requests = countRequests();

    await orders.update(order.id, (current) => ({ ...current, status: 'Processing' }));
    await orders.update(order.id, (current) => ({ ...current, payment: { ...current.payment, status: 'Captured', transactionId: 'txn-1' } }));

    expect(requests.reads()).toBe(0);
    expect(requests.replaces()).toBe(2);
    expect(await orders.get(order.id)).toMatchObject({ status: 'Processing', payment: { status: 'Captured', transactionId: 'txn-1' } });
  });

  it('loses no write of another process: a stale copy costs a 412 and a read, and the change is applied to the stored order', async () => {
    const here = createOrderRepository(cosmos.current.containers.orders);
    const elsewhere = createOrderRepository(cosmos.current.containers.orders);
    const order = aStoredOrder();
    await here.create(order);
    await elsewhere.update(order.id, (current) => ({ ...current, statusReason: 'written elsewhere' }));
    const requests = countRequests();

    await here.update(order.id, (current) => ({ ...current, status: 'Processing' }));

    expect(await here.get(order.id)).toMatchObject({ status: 'Processing', statusReason: 'written elsewhere' });
    expect(requests.replaces()).toBe(2);
  });

  it('checks a decision not to write against the stored order, never on the copy alone', async () => {
    const here = createOrderRepository(cosmos.current.containers.orders);
    const elsewhere = createOrderRepository(cosmos.current.containers.orders);
    const order = aStoredOrder();
    await here.create(order);
    await elsewhere.update(order.id, (current) => ({ ...current, status: 'Processing' }));

    // On the copy (Pending) there is nothing to do; on the stored order (Processing) there is.
    const updated = await here.update(order.id, (current): StoredOrder | null =>
      current.status === 'Pending' ? null : { ...current, statusReason: 'seen Processing' },
    );

    expect(updated).toMatchObject({ status: 'Processing', statusReason: 'seen Processing' });
    expect(await elsewhere.get(order.id)).toMatchObject({ status: 'Processing', statusReason: 'seen Processing' });
  });

  it('keeps no copy of a final order: a later update reads it', async () => {
    const orders = createOrderRepository(cosmos.current.containers.orders);
    const order = aStoredOrder();
    await orders.create(order);
    await orders.update(order.id, (current) => ({ ...current, status: 'Completed' }));
    const requests = countRequests();

    await orders.update(order.id, () => null);

    expect(requests.reads()).toBe(1);
  });
});

describe('saga record saves from the copy last written', () => {
  it('saves a new saga record with one create, and every later snapshot with one replace, reading nothing', async () => {
    const sagas = createSagaRepository(cosmos.current.containers.sagas);
    const orderId = uniqueId('ord');
    const started = recordStepAttempt(aSaga(orderId), 'ReserveInventory', 1, '2025-01-01T10:00:01.000Z');
    const reserved = recordStepSucceeded(started, 'ReserveInventory', '2025-01-01T10:00:02.000Z');
    const requests = countRequests();

    await sagas.save(started);
    await sagas.save(reserved);

    expect([requests.creates(), requests.reads(), requests.replaces()]).toEqual([1, 0, 1]);
    expect(await sagas.get(orderId)).toEqual(reserved);
  });

  it('still drops a stale snapshot of a record it holds no copy of (a repeated activity in another process)', async () => {
    const orderId = uniqueId('ord');
    const started = aSaga(orderId, '2025-01-01T10:00:00.000Z');
    const finished = finishSaga(recordStepSucceeded(started, 'ReserveInventory', '2025-01-01T10:00:05.000Z'), '2025-01-01T10:00:06.000Z');
    await createSagaRepository(cosmos.current.containers.sagas).save(finished);

    await createSagaRepository(cosmos.current.containers.sagas).save(started);

    expect(await createSagaRepository(cosmos.current.containers.sagas).get(orderId)).toEqual(finished);
  });

  it('reads a record it holds no copy of before deciding to leave it alone: an existing record is not taken for a missing one', async () => {
    const orderId = uniqueId('ord');
    const stored = aSaga(orderId);
    await createSagaRepository(cosmos.current.containers.sagas).save(stored);

    const seen = await createSagaRepository(cosmos.current.containers.sagas).update(orderId, () => null);

    expect(seen).toEqual(stored);
  });
});

describe('reservations from the product document the last batch wrote', () => {
  it('reserves again without reading the product, and counts every unit', async () => {
    const products = createProductRepository(cosmos.current.containers.products);
    const product = aProduct({ available: 10 });
    await products.ensureCatalog([product]);
    await products.reserve(product.id, uniqueId('ord'), 1);
    const requests = countRequests();

    expect(await products.reserve(product.id, uniqueId('ord'), 2)).toBe('reserved');

    expect(requests.reads()).toBe(0);
    expect(await products.get(product.id)).toMatchObject({ available: 7, reserved: 3 });
  });

  it('loses no unit to a writer in another process: the stale copy fails its batch and the product is read again', async () => {
    const here = createProductRepository(cosmos.current.containers.products);
    const elsewhere = createProductRepository(cosmos.current.containers.products);
    const product = aProduct({ available: 10 });
    await here.ensureCatalog([product]);
    await here.reserve(product.id, uniqueId('ord'), 1);
    await elsewhere.reserve(product.id, uniqueId('ord'), 2);

    expect(await here.reserve(product.id, uniqueId('ord'), 3)).toBe('reserved');

    expect(await elsewhere.get(product.id)).toMatchObject({ available: 4, reserved: 6 });
  });
});

describe('document cache', () => {
  it('keeps at most its capacity, dropping the least recently used copy first', () => {
    const cache = createDocumentCache<{ n: number }>(2);
    cache.remember('a', { n: 1 }, 'etag-a');
    cache.remember('b', { n: 2 }, 'etag-b');
    cache.get('a');
    cache.remember('c', { n: 3 }, 'etag-c');
    expect([cache.get('a')?.etag, cache.get('b'), cache.get('c')?.etag, cache.size]).toEqual(['etag-a', undefined, 'etag-c', 2]);
  });

  it('hands out private copies, and keeps no document without an ETag', () => {
    const cache = createDocumentCache<{ n: number }>();
    const document = { n: 1 };
    cache.remember('a', document, 'etag-a');
    document.n = 2;
    const copy = cache.get('a');
    if (copy) copy.document.n = 3;
    expect(cache.get('a')?.document).toEqual({ n: 1 });
    cache.remember('a', { n: 4 }, '');
    expect(cache.get('a')).toBeUndefined();
  });
});
