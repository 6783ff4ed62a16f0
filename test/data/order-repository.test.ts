import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidContinuationToken, RecordNotFound } from '../../src/services/ports';
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

  it('hands out opaque base64url tokens that wrap the database token', async () => {
    const page = await cosmos.current.repositories.orders.list({ customerId, limit: 2 });
    expect(page.continuationToken).toMatch(/^[A-Za-z0-9_-]+$/);
    const envelope = JSON.parse(Buffer.from(page.continuationToken ?? '', 'base64url').toString('utf8'));
    expect(envelope).toMatchObject({ v: 1, c: expect.any(String) });
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
