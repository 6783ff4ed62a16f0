import { describe, expect, it } from 'vitest';
import { DEMO_CATALOG, TransientFault, type Product } from '../../src/domain';
import { ensureDemoCatalog } from '../../src/services/catalog-service';
import type { ProductRepository } from '../../src/services/ports';

/** A catalog store that creates what it is given, after failing the first `faults` calls as `failWith` says. */
function flakyCatalog(faults: number, failWith: () => Error) {
  const stored = new Set<string>();
  let calls = 0;
  const products: Pick<ProductRepository, 'ensureCatalog'> = {
    async ensureCatalog(items: readonly Product[]) {
      calls += 1;
      // A failed attempt may still have created some products, as a batch of creates that fails half-way does.
      const created = items.filter((item) => !stored.has(item.id)).map((item) => item.id);
      const firstHalf = created.slice(0, Math.ceil(created.length / 2));
      if (calls <= faults) {
        for (const id of firstHalf) stored.add(id);
        throw failWith();
      }
      for (const id of created) stored.add(id);
      return { created, existing: items.map((item) => item.id).filter((id) => !created.includes(id)) };
    },
  };
  return { products: products as ProductRepository, stored, calls: () => calls };
}

describe('seeding the demo catalog', () => {
  it('retries a transient fault until every product is there', async () => {
    const pauses: number[] = [];
    const store = flakyCatalog(3, () => new TransientFault('Cosmos DB create inventory/cat-tree failed transiently: 503'));
    const outcome = await ensureDemoCatalog(store.products, async (ms) => void pauses.push(ms));
    expect(store.calls()).toBe(4);
    expect(pauses).toEqual([500, 1_000, 2_000]);
    expect([...store.stored].sort()).toEqual(DEMO_CATALOG.map((entry) => entry.id).sort());
    expect([...outcome.created, ...outcome.existing].sort()).toEqual(DEMO_CATALOG.map((entry) => entry.id).sort());
  });

  it('gives up after its attempts, and at once on anything but a transient fault', async () => {
    const outage = flakyCatalog(100, () => new TransientFault('down'));
    await expect(ensureDemoCatalog(outage.products, async () => undefined)).rejects.toThrow('down');
    expect(outage.calls()).toBe(8);

    const broken = flakyCatalog(100, () => new Error('StoredDocumentInvalid'));
    await expect(ensureDemoCatalog(broken.products, async () => undefined)).rejects.toThrow('StoredDocumentInvalid');
    expect(broken.calls()).toBe(1);
  });
});
