import { randomUUID } from 'node:crypto';
import type { Container, CosmosClient } from '@azure/cosmos';
import { afterEach, describe, expect, it } from 'vitest';
import { createCosmosClient } from '../../src/data/cosmos-client';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/local-host/cosmos/embedded-cosmos';
import { withCosmosFaults } from '../../src/local-host/faults/cosmos-faults';
import { FaultInjector } from '../../src/local-host/faults/fault-injector';
import { parseFaultPlan, type FaultPlanInput } from '../../src/local-host/faults/fault-plan';

/*
 * The fault plan wraps the server's handler, so the app's client, which reaches the server through the
 * in-process transport, gets the same faults as an HTTP client (test/local-host/faults-host.test.ts), failing
 * the same way: 429 retried by the SDK, 503, a dropped connection as ECONNRESET.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function faulty(input: Omit<FaultPlanInput, 'seed'>): Promise<{ items: Container; faults: FaultInjector; cosmos: EmbeddedCosmos }> {
  const plan = parseFaultPlan({ seed: 1, cosmosRetryAfterMs: 1, ...input });
  const faults = new FaultInjector(plan);
  const cosmos = await startEmbeddedCosmos({ wrapHandler: withCosmosFaults(faults, { timeoutMs: plan.cosmosTimeoutMs, retryAfterMs: plan.cosmosRetryAfterMs }) });
  cleanups.push(() => cosmos.close());
  const client: CosmosClient = createCosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key });
  cleanups.push(() => client.dispose());
  const { database } = await client.databases.createIfNotExists({ id: `faults-${randomUUID()}` });
  const { container } = await database.containers.createIfNotExists({ id: 'items', partitionKey: { paths: ['/id'] } });
  return { items: container, faults, cosmos };
}

describe('Cosmos DB faults through the in-process transport', () => {
  it('cosmosThrottle: the SDK retries the 429 itself (9 times), then the caller gets 429', async () => {
    const { items, faults } = await faulty({ rates: { cosmosThrottle: 1 } });
    await expect(items.items.create({ id: 'a' })).rejects.toMatchObject({ code: 429 });
    expect(faults.report().injected.cosmosThrottle).toBe(10);
  });

  it('cosmosTimeout: the request hangs, then fails as a dropped connection (ECONNRESET); the write was not applied', async () => {
    const { items, faults, cosmos } = await faulty({ rates: { cosmosTimeout: 1 }, cosmosTimeoutMs: 200 });
    const started = Date.now();
    await expect(items.items.create({ id: 'c' })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(faults.report().injected.cosmosTimeout).toBe(1);
    expect((await cosmos.stats()).documents).toBe(0);
  });

  it('cosmosFailAfterApply: the write is applied but the caller gets a 503 or a dropped connection', async () => {
    const { items, faults, cosmos } = await faulty({ rates: { cosmosFailAfterApply: 1 } });
    const outcomes = new Set<unknown>();
    for (let i = 0; i < 8; i++) {
      outcomes.add(
        await items.items.create({ id: `applied-${i}` }).then(
          () => undefined,
          (error: { code?: unknown }) => error.code,
        ),
      );
    }
    expect(outcomes).toEqual(new Set([503, 'ECONNRESET']));
    expect(faults.report().injected.cosmosFailAfterApply).toBe(8);
    expect((await cosmos.stats()).documents).toBe(8);
  });
});
