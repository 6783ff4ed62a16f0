import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrderRepository } from '../../src/data/order-repository';
import type { StoredOrder } from '../../src/domain';
import { InvalidContinuationToken, RecordNotFound, type OrderListQuery, type OrderRepository } from '../../src/services/ports';
import { aStoredOrder, uniqueId } from './builders';
import { useCosmosFixture } from './cosmos-fixture';

const cosmos = useCosmosFixture();
const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_ts', '_attachments'];

describe('order repository: create, get, update', () => {
  it('creates an order and reads it back without Cosmos system properties', async () => {
    const { orders } = cosmos.current.repositories;
    const order = aStoredOrder();
    expect(await orders.create(order)).toEqual({ created: true, order });
    const read = await orders.get(order.id);
    expect(read).toEqual(order);
    for (const property of SYSTEM_PROPERTIES) expect(read).not.toHaveProperty(property);
  });

  it('returns the stored order when the id already exists', async () => {
    const { orders } = cosmos.current.repositories;
    const first = aStoredOrder();
    await orders.create(first);
    const result = await orders.create({ ...first, customerId: 'someone-else' });
    expect(result).toEqual({ created: false, order: first });
  });

  it('answers null for an unknown order', async () => {
    expect(await cosmos.current.repositories.orders.get('ord-missing')).toBeNull();
  });

  it('rejects a stored order that no longer matches its schema', async () => {
    const { containers, repositories } = cosmos.current;
    const id = uniqueId('ord');
    await containers.orders.items.create({ id, status: 'Lost' });
    await expect(repositories.orders.get(id)).rejects.toThrow(/does not match its schema/);
  });

  it('updates an order, and leaves it alone when the change returns null', async () => {
    const { orders } = cosmos.current.repositories;
    const order = aStoredOrder();
    await orders.create(order);
    const updated = await orders.update(order.id, (current) => ({ ...current, status: 'Processing' }));
    expect(updated.status).toBe('Processing');
    expect((await orders.get(order.id))?.status).toBe('Processing');
    expect(await orders.update(order.id, () => null)).toEqual(updated);
  });

  it('refuses to update an order that does not exist', async () => {
    await expect(cosmos.current.repositories.orders.update('ord-missing', (order) => order)).rejects.toBeInstanceOf(RecordNotFound);
  });

  it('loses no update when writers race: a 412 re-reads and re-applies the change (ETag)', async () => {
    const { orders } = cosmos.current.repositories;
    const order = aStoredOrder({ statusReason: '' });
    await orders.create(order);
    let calls = 0;
    const writers = Array.from({ length: 10 }, (_, index) =>
      orders.update(order.id, (current) => {
        calls += 1;
        return { ...current, statusReason: `${current.statusReason ?? ''}[${index}]` };
      }),
    );
    await Promise.all(writers);
    const final = await orders.get(order.id);
    const marks = (final?.statusReason ?? '').match(/\[\d+\]/g) ?? [];
    expect(marks.sort()).toEqual(Array.from({ length: 10 }, (_, index) => `[${index}]`).sort());
    expect(calls).toBeGreaterThan(10);
  });

  it('keeps the id it was asked to update even if the change returns another', async () => {
    const { orders } = cosmos.current.repositories;
    const order = aStoredOrder();
    await orders.create(order);
    const updated = await orders.update(order.id, (current) => ({ ...current, id: 'ord-other', customerId: 'cust-9' }));
    expect(updated.id).toBe(order.id);
    expect(await orders.get('ord-other')).toBeNull();
  });
});

describe('order repository: listing', () => {
  const customerId = uniqueId('cust-list');
  const created = Array.from({ length: 7 }, (_, index) =>
    aStoredOrder({
      customerId,
      createdAt: `2025-02-0${index + 1}T08:00:00.000Z`,
      status: index % 2 === 0 ? 'Pending' : 'Completed',
    }),
  );

  beforeAll(async () => {
    const { orders } = cosmos.current.repositories;
    for (const order of created) await orders.create(order);
    await orders.create(aStoredOrder({ customerId: 'cust-unrelated', createdAt: '2025-02-04T09:00:00.000Z' }));
  });

  it('pages newest first with a continuation token, filtered by customer', async () => {
    const { orders } = cosmos.current.repositories;

    const seen: string[] = [];
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await orders.list({ customerId, limit: 3, continuationToken });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((order) => order.id));
      continuationToken = page.continuationToken ?? undefined;
      pages += 1;
    } while (continuationToken && pages < 10);

    const newestFirst = [...created].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((order) => order.id);
    expect(seen).toEqual(newestFirst);
    expect(pages).toBe(3);
  });

  it('filters by status as well', async () => {
    const page = await cosmos.current.repositories.orders.list({ customerId, status: 'Completed', limit: 20 });
    expect(page.items.map((order) => order.createdAt)).toEqual([
      '2025-02-06T08:00:00.000Z',
      '2025-02-04T08:00:00.000Z',
      '2025-02-02T08:00:00.000Z',
    ]);
    expect(page.continuationToken).toBeNull();
  });

  it.each([
    ['not base64url', '%%%'],
    ['base64url but not JSON', Buffer.from('hello').toString('base64url')],
    ['JSON of another shape', Buffer.from(JSON.stringify({ token: 'x' })).toString('base64url')],
  ])('raises InvalidContinuationToken for a token that is %s', async (_why, token) => {
    await expect(cosmos.current.repositories.orders.list({ customerId, limit: 3, continuationToken: token })).rejects.toBeInstanceOf(
      InvalidContinuationToken,
    );
  });

  it('raises InvalidContinuationToken for a token issued for other filters', async () => {
    const { orders } = cosmos.current.repositories;
    const first = await orders.list({ customerId, limit: 2 });
    expect(first.continuationToken).not.toBeNull();
    await expect(
      orders.list({ customerId, status: 'Pending', limit: 2, continuationToken: first.continuationToken ?? undefined }),
    ).rejects.toBeInstanceOf(InvalidContinuationToken);
  });

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  const filters = JSON.stringify([customerId, null]);

  it.each([
    ['the SDK-token envelope of old', { v: 1, f: filters, c: 'x' }],
    ['a position that is not a time', { v: 2, f: filters, t: 'yesterday', i: 'ord-1' }],
    ['a time with an offset', { v: 2, f: filters, t: '2025-02-04T08:00:00+02:00', i: 'ord-1' }],
    ['an id with quotes', { v: 2, f: filters, t: '2025-02-04T08:00:00.000Z', i: "ord-1' OR 1=1" }],
    ['an empty id', { v: 2, f: filters, t: '2025-02-04T08:00:00.000Z', i: '' }],
    ['an extra field', { v: 2, f: filters, t: '2025-02-04T08:00:00.000Z', i: 'ord-1', c: 'x' }],
    ['a missing field', { v: 2, f: filters, t: '2025-02-04T08:00:00.000Z' }],
    ['a number for the time', { v: 2, f: filters, t: 1738656000000, i: 'ord-1' }],
  ])('raises InvalidContinuationToken for a token that decodes but holds %s', async (_why, token) => {
    await expect(
      cosmos.current.repositories.orders.list({ customerId, limit: 3, continuationToken: b64(token) }),
    ).rejects.toBeInstanceOf(InvalidContinuationToken);
  });

  it('refuses a token with trailing bits altered (it decodes to the same JSON)', async () => {
    const { orders } = cosmos.current.repositories;
    const token = (await orders.list({ customerId, limit: 2 })).continuationToken ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const lastIndex = alphabet.indexOf(token.slice(-1));
    const variants = [1, 2, 3].map((delta) => `${token.slice(0, -1)}${alphabet[(lastIndex + delta) % 64]}`);
    const lookAlike = variants.find((variant) => Buffer.from(variant, 'base64url').equals(Buffer.from(token, 'base64url')));
    if (lookAlike === undefined) return; // the token's length leaves no spare bits
    await expect(orders.list({ customerId, limit: 2, continuationToken: lookAlike })).rejects.toBeInstanceOf(InvalidContinuationToken);
  });

  it('hands out opaque base64url tokens that hold the last position, not a database token', async () => {
    const page = await cosmos.current.repositories.orders.list({ customerId, limit: 2 });
    expect(page.continuationToken).toMatch(/^[A-Za-z0-9_-]+$/);
    const token = JSON.parse(Buffer.from(page.continuationToken ?? '', 'base64url').toString('utf8'));
    const last = page.items[1];
    expect(token).toEqual({ v: 2, f: filters, t: last?.createdAt, i: last?.id });
  });

  it('lists orders still Pending that were created before a time, oldest first', async () => {
    const { orders } = cosmos.current.repositories;
    const pending = await orders.listPendingCreatedBefore('2025-02-05T12:00:00.000Z', 100);
    const mine = pending.filter((order) => order.customerId === customerId).map((order) => order.createdAt);
    expect(mine).toEqual(['2025-02-01T08:00:00.000Z', '2025-02-03T08:00:00.000Z', '2025-02-05T08:00:00.000Z']);
    expect(pending.every((order) => order.status === 'Pending' && order.createdAt < '2025-02-05T12:00:00.000Z')).toBe(true);
    expect(await orders.listPendingCreatedBefore('2025-02-05T12:00:00.000Z', 2)).toHaveLength(2);
  });

  it('lists orders Processing that were last written before a time, least recently first', async () => {
    const { orders } = cosmos.current.repositories;
    const owner = uniqueId('cust-stuck');
    const times = ['2025-03-03T08:00:00.000Z', '2025-03-01T08:00:00.000Z', '2025-03-09T08:00:00.000Z'];
    for (const updatedAt of times) await orders.create(aStoredOrder({ customerId: owner, status: 'Processing', updatedAt }));
    await orders.create(aStoredOrder({ customerId: owner, status: 'Pending', updatedAt: '2025-03-01T07:00:00.000Z' }));
    const stale = await orders.listProcessingUpdatedBefore('2025-03-05T00:00:00.000Z', 100);
    expect(stale.filter((order) => order.customerId === owner).map((order) => order.updatedAt)).toEqual([
      '2025-03-01T08:00:00.000Z',
      '2025-03-03T08:00:00.000Z',
    ]);
    expect(stale.every((order) => order.status === 'Processing')).toBe(true);
  });
});

describe('order repository: keyset paging', () => {
  const customerId = uniqueId('cust-keyset');
  // 23 orders over three instants: most share their createdAt with others, as orders placed in one burst do.
  const instants = ['2025-03-01T08:00:00.000Z', '2025-03-01T09:00:00.000Z', '2025-03-01T10:00:00.000Z'];
  const created = Array.from({ length: 23 }, (_, index) =>
    aStoredOrder({ customerId, createdAt: instants[index % 3], status: index % 4 === 0 ? 'Pending' : 'Completed' }),
  );
  const newestFirst = (orders: StoredOrder[]) =>
    [...orders]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((order) => order.id);

  beforeAll(async () => {
    const { orders } = cosmos.current.repositories;
    for (const order of created) await orders.create(order);
  });

  async function pageThrough(query: Omit<OrderListQuery, 'continuationToken'>) {
    const { orders } = cosmos.current.repositories;
    const pages: string[][] = [];
    let continuationToken: string | undefined;
    do {
      const page = await orders.list({ ...query, continuationToken });
      pages.push(page.items.map((order) => order.id));
      continuationToken = page.continuationToken ?? undefined;
    } while (continuationToken && pages.length < 50);
    return pages;
  }

  it.each([1, 2, 4, 7, 23, 100])('pages through equal createdAt values without skipping or repeating an order (limit %i)', async (limit) => {
    const pages = await pageThrough({ customerId, limit });
    expect(pages.flat()).toEqual(newestFirst(created));
    expect(pages).toHaveLength(Math.max(1, Math.ceil(created.length / limit)));
    expect(pages.every((page) => page.length === limit || page === pages[pages.length - 1])).toBe(true);
  });

  it('keeps the status filter across pages', async () => {
    const pages = await pageThrough({ customerId, status: 'Completed', limit: 5 });
    expect(pages.flat()).toEqual(newestFirst(created.filter((order) => order.status === 'Completed')));
  });

  it('never hands the database a continuation token: every query is a TOP query', async () => {
    const { containers } = cosmos.current;
    const repository = createOrderRepository(containers.orders);
    const query = vi.spyOn(containers.orders.items, 'query');
    try {
      await pageThroughWith(repository, { customerId, limit: 4 });
      await repository.listPendingCreatedBefore('2030-01-01T00:00:00.000Z', 3);
      expect(query).toHaveBeenCalled();
      for (const [spec, options] of query.mock.calls) {
        expect(options?.continuationToken).toBeUndefined();
        expect(options?.continuation).toBeUndefined();
        expect(typeof spec === 'string' ? spec : spec.query).toMatch(/^SELECT TOP \d+ /);
      }
    } finally {
      query.mockRestore();
    }
  });

  async function pageThroughWith(repository: OrderRepository, query: Omit<OrderListQuery, 'continuationToken'>) {
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await repository.list({ ...query, continuationToken });
      continuationToken = page.continuationToken ?? undefined;
      pages += 1;
    } while (continuationToken && pages < 50);
    return pages;
  }

  it('creates the orders container with the composite index the two-field ORDER BY needs', async () => {
    const { resource } = await cosmos.current.containers.orders.read();
    expect(resource?.indexingPolicy?.compositeIndexes).toEqual([
      [
        { path: '/createdAt', order: 'descending' },
        { path: '/id', order: 'descending' },
      ],
    ]);
  });
});
