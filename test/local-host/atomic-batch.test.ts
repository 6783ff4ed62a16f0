import { randomUUID } from 'node:crypto';
import type { Container, CosmosClient, OperationInput } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCosmosClient } from '../../src/data/cosmos-client';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/local-host/cosmos/embedded-cosmos';

/* The embedded host's own server, reached through the real @azure/cosmos SDK, as the app reaches it. */
let cosmos: EmbeddedCosmos;
let client: CosmosClient;
let container: Container;

beforeAll(async () => {
  cosmos = await startEmbeddedCosmos();
  client = createCosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key });
  const { database } = await client.databases.createIfNotExists({ id: `batch-${randomUUID()}` });
  ({ container } = await database.containers.createIfNotExists({ id: 'stock', partitionKey: { paths: ['/pk'] } }));
});

afterAll(async () => {
  client?.dispose();
  await cosmos?.close();
});

interface Doc {
  id: string;
  pk: string;
  count: number;
  _etag?: string;
  _ts?: number;
}

async function stored(id: string, pk: string): Promise<Doc | undefined> {
  const { resource } = await container.item(id, pk).read<Doc>();
  return resource;
}

async function seeded(pk: string, ...docs: Array<Omit<Doc, 'pk'>>): Promise<Doc[]> {
  const written: Doc[] = [];
  for (const doc of docs) {
    const { resource } = await container.items.create<Doc>({ ...doc, pk });
    if (!resource) throw new Error('create returned nothing');
    written.push(resource);
  }
  return written;
}

describe('transactional batch on the embedded Cosmos DB server', () => {
  it('applies every operation when all succeed', async () => {
    const pk = `p-${randomUUID()}`;
    const [counter] = await seeded(pk, { id: 'counter', count: 5 });
    const operations: OperationInput[] = [
      { operationType: 'Replace', id: 'counter', ifMatch: counter._etag, resourceBody: { id: 'counter', pk, count: 4 } },
      { operationType: 'Create', resourceBody: { id: 'hold-1', pk, count: 1 } },
    ];
    const response = await container.items.batch(operations, pk);
    expect(response.code).toBe(200);
    expect(response.result?.map((result) => result.statusCode)).toEqual([200, 201]);
    expect(await stored('counter', pk)).toMatchObject({ count: 4 });
    expect(await stored('hold-1', pk)).toMatchObject({ count: 1 });
  });

  it('rolls back a replace when a later create conflicts, keeping the document exactly as it was', async () => {
    const pk = `p-${randomUUID()}`;
    const [counter] = await seeded(pk, { id: 'counter', count: 5 }, { id: 'hold-1', count: 1 });
    const operations: OperationInput[] = [
      { operationType: 'Replace', id: 'counter', ifMatch: counter._etag, resourceBody: { id: 'counter', pk, count: 4 } },
      { operationType: 'Create', resourceBody: { id: 'hold-2', pk, count: 1 } },
      { operationType: 'Create', resourceBody: { id: 'hold-1', pk, count: 1 } },
      { operationType: 'Create', resourceBody: { id: 'hold-3', pk, count: 1 } },
    ];
    const response = await container.items.batch(operations, pk);
    expect(response.code).toBe(207);
    expect(response.result?.map((result) => result.statusCode)).toEqual([424, 424, 409, 424]);

    const after = await stored('counter', pk);
    expect(after).toMatchObject({ count: 5, _etag: counter._etag, _ts: counter._ts });
    expect(await stored('hold-2', pk)).toBeUndefined();
    expect(await stored('hold-3', pk)).toBeUndefined();
    // The untouched etag still works: nothing happened as far as any reader can tell.
    await container.item('counter', pk).replace({ id: 'counter', pk, count: 3 }, { accessCondition: { type: 'IfMatch', condition: counter._etag ?? '' } });
    expect(await stored('counter', pk)).toMatchObject({ count: 3 });
  });

  it('answers 412 for a stale ETag and creates nothing', async () => {
    const pk = `p-${randomUUID()}`;
    const [counter] = await seeded(pk, { id: 'counter', count: 5 });
    await container.item('counter', pk).replace({ id: 'counter', pk, count: 6 });
    const response = await container.items.batch(
      [
        { operationType: 'Create', resourceBody: { id: 'hold-1', pk, count: 1 } },
        { operationType: 'Replace', id: 'counter', ifMatch: counter._etag, resourceBody: { id: 'counter', pk, count: 4 } },
      ],
      pk,
    );
    expect(response.code).toBe(207);
    expect(response.result?.map((result) => result.statusCode)).toEqual([424, 412]);
    expect(await stored('hold-1', pk)).toBeUndefined();
    expect(await stored('counter', pk)).toMatchObject({ count: 6 });
  });

  it('restores deleted and upserted documents when a later operation fails', async () => {
    const pk = `p-${randomUUID()}`;
    const [gone, changed] = await seeded(pk, { id: 'gone', count: 1 }, { id: 'changed', count: 2 });
    const response = await container.items.batch(
      [
        { operationType: 'Delete', id: 'gone' },
        { operationType: 'Upsert', resourceBody: { id: 'changed', pk, count: 20 } },
        { operationType: 'Upsert', resourceBody: { id: 'new', pk, count: 30 } },
        { operationType: 'Read', id: 'missing' },
      ],
      pk,
    );
    expect(response.code).toBe(207);
    expect(response.result?.map((result) => result.statusCode)).toEqual([424, 424, 424, 404]);
    expect(await stored('gone', pk)).toMatchObject({ count: 1, _etag: gone._etag });
    expect(await stored('changed', pk)).toMatchObject({ count: 2, _etag: changed._etag });
    expect(await stored('new', pk)).toBeUndefined();
  });

  it('takes the batch partition key for operations that do not name one, and refuses a document of another partition', async () => {
    const pk = `p-${randomUUID()}`;
    const [counter] = await seeded(pk, { id: 'counter', count: 5 });
    const ok = await container.items.batch(
      [
        { operationType: 'Read', id: 'counter' },
        { operationType: 'Replace', id: 'counter', ifMatch: counter._etag, resourceBody: { id: 'counter', pk, count: 1 } },
      ],
      pk,
    );
    expect(ok.result?.map((result) => result.statusCode)).toEqual([200, 200]);

    const wrongPartition = await container.items.batch(
      [
        { operationType: 'Create', resourceBody: { id: 'hold-1', pk, count: 1 } },
        { operationType: 'Create', resourceBody: { id: 'hold-2', pk: 'elsewhere', count: 1 } },
      ],
      pk,
    );
    expect(wrongPartition.code).toBe(207);
    expect(wrongPartition.result?.map((result) => result.statusCode)).toEqual([424, 400]);
    expect(await stored('hold-1', pk)).toBeUndefined();
    expect(await stored('hold-2', 'elsewhere')).toBeUndefined();
  });

  it('keeps a counter and its holds consistent when many batches race on one partition', async () => {
    const pk = `p-${randomUUID()}`;
    await seeded(pk, { id: 'counter', count: 0 });
    const winners = await Promise.all(
      Array.from({ length: 40 }, async (_, index) => {
        for (;;) {
          const current = await stored('counter', pk);
          if (!current) throw new Error('counter missing');
          const response = await container.items.batch(
            [
              { operationType: 'Replace', id: 'counter', ifMatch: current._etag, resourceBody: { id: 'counter', pk, count: current.count + 1 } },
              { operationType: 'Create', resourceBody: { id: `hold-${index}`, pk, count: 1 } },
            ],
            pk,
          );
          if (response.code === 200) return index;
          expect(response.result?.map((result) => result.statusCode)).toEqual([412, 424]);
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
        }
      }),
    );
    expect(winners).toHaveLength(40);
    const { resources } = await container.items
      .query<Doc>({ query: 'SELECT * FROM c WHERE c.pk = @pk AND STARTSWITH(c.id, "hold-")', parameters: [{ name: '@pk', value: pk }] })
      .fetchAll();
    expect(resources).toHaveLength(40);
    expect(await stored('counter', pk)).toMatchObject({ count: 40 });
  });
});
