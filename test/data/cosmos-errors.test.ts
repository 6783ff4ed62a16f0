import { describe, expect, it } from 'vitest';
import { createCosmosClient } from '../../src/data/cosmos-client';
import { cosmosCall, isTransientCosmosError } from '../../src/data/cosmos-errors';
import { createRepositories } from '../../src/data/repositories';
import type { SagaContainers } from '../../src/data/containers';
import { TransientFault } from '../../src/domain';

function cosmosError(code: number | string): Error {
  return Object.assign(new Error(`status ${code}`), { code });
}

describe('transient Cosmos faults', () => {
  it.each([408, 429, 449, 503, 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'REQUEST_SEND_ERROR', 'TimeoutError'])(
    'maps %s to TransientFault, keeping the cause',
    async (code) => {
      const original = cosmosError(code);
      const thrown = await cosmosCall('read x', () => Promise.reject(original)).catch((error: unknown) => error);
      expect(thrown).toBeInstanceOf(TransientFault);
      expect((thrown as TransientFault).cause).toBe(original);
      expect((thrown as TransientFault).message).toContain('read x');
    },
  );

  it.each([400, 404, 409, 412, 413])('leaves %s as it is', async (code) => {
    const original = cosmosError(code);
    await expect(cosmosCall('read x', () => Promise.reject(original))).rejects.toBe(original);
    expect(isTransientCosmosError(original)).toBe(false);
  });

  it('recognises an aborted request', () => {
    const aborted = new Error('aborted');
    aborted.name = 'AbortError';
    expect(isTransientCosmosError(aborted)).toBe(true);
  });

  it('raises TransientFault from a repository when the database is unreachable', async () => {
    const client = createCosmosClient({ endpoint: 'http://127.0.0.1:1/', key: 'unused' });
    try {
      const database = client.database('offline');
      const containers = Object.fromEntries(
        ['orders', 'products', 'payments', 'shipments', 'sagas'].map((name) => [name, database.container(name)]),
      ) as SagaContainers;
      const repositories = createRepositories(containers);
      await expect(repositories.orders.get('ord-1')).rejects.toBeInstanceOf(TransientFault);
      await expect(repositories.products.reserve('p', 'ord-1', 1)).rejects.toBeInstanceOf(TransientFault);
    } finally {
      client.dispose();
    }
  });
});
