import type { Container } from '@azure/cosmos';
import { z } from 'zod';
import { ProductSchema, type Product } from '../domain';
import type { ProductRepository, ReleaseOutcome, ReserveOutcome } from '../services/ports';
import { cosmosCall } from './cosmos-errors';
import { createIfAbsent, parseDocument, readDocument, replaceIfUnchanged } from './documents';
import { retryOnLostRace } from './optimistic-retry';

/**
 * The stored product carries, besides the public stock counters, what each order holds of it. Keeping the
 * holds on the same document as `available` lets one If-Match replace change both atomically, which is what
 * makes reservations idempotent per order and stock impossible to oversell.
 *
 * Trade-off: the hold of an order that completed stays on the document, because the contract counts shipped
 * units as `reserved` and because a late ReleaseInventory must still find what to give back. The map grows
 * by one small entry per order that ever bought the product; a production system would move shipped holds
 * to a ledger (and decrement `reserved`) once the goods leave the warehouse, before the 2 MB document limit.
 *
 * A released hold is kept as 0, a tombstone: a reservation that arrives after the release (a timed-out
 * attempt landing late, a message resubmitted from a dead-letter queue) must not hold stock for an order
 * whose saga has already given it back, because nothing would ever release it again.
 */
const RELEASED = 0;

const ProductDocumentSchema = ProductSchema.extend({
  holds: z.record(z.string(), z.number().int().nonnegative()).default({}),
});
type ProductDocument = z.infer<typeof ProductDocumentSchema>;

function toProduct(document: ProductDocument): Product {
  return ProductSchema.parse(document);
}

export function createProductRepository(container: Container): ProductRepository {
  const read = (productId: string) => readDocument(container, ProductDocumentSchema, productId, productId);

  async function get(productId: string): Promise<Product | null> {
    const found = await read(productId);
    return found ? toProduct(found.document) : null;
  }

  return {
    async list() {
      const { resources } = await cosmosCall('list products', () =>
        container.items.query({ query: 'SELECT * FROM c ORDER BY c.id' }).fetchAll(),
      );
      return resources.map((raw: unknown) => toProduct(parseDocument(ProductDocumentSchema, raw, 'products item')));
    },

    get,

    async getMany(productIds) {
      const unique = [...new Set(productIds)];
      const found = await Promise.all(unique.map(get));
      return new Map(found.filter((product): product is Product => product !== null).map((product) => [product.id, product]));
    },

    async ensureCatalog(products) {
      const created: string[] = [];
      const existing: string[] = [];
      await Promise.all(
        products.map(async (product) => {
          const document: ProductDocument = { ...ProductSchema.parse(product), holds: {} };
          const list = (await createIfAbsent(container, document)) ? created : existing;
          list.push(product.id);
        }),
      );
      return { created: created.sort(), existing: existing.sort() };
    },

    reserve(productId, orderId, quantity) {
      return retryOnLostRace(`reserve ${productId} for ${orderId}`, async (): Promise<ReserveOutcome> => {
        const found = await read(productId);
        if (!found) return 'unknown-product';
        const { document, etag } = found;
        const held = document.holds[orderId];
        if (held === RELEASED) return 'released';
        if (held !== undefined) return 'already-reserved';
        if (document.available < quantity) return 'insufficient';
        const next: ProductDocument = {
          ...document,
          available: document.available - quantity,
          reserved: document.reserved + quantity,
          holds: { ...document.holds, [orderId]: quantity },
        };
        await replaceIfUnchanged(container, productId, productId, next, etag);
        return 'reserved';
      });
    },

    release(productId, orderId) {
      return retryOnLostRace(`release ${productId} for ${orderId}`, async (): Promise<ReleaseOutcome> => {
        const found = await read(productId);
        if (!found) return 'nothing-held';
        const { document, etag } = found;
        const held = document.holds[orderId];
        if (held === RELEASED) return 'nothing-held';
        const holds = { ...document.holds, [orderId]: RELEASED };
        const next: ProductDocument =
          held === undefined
            ? { ...document, holds }
            : { ...document, available: document.available + held, reserved: Math.max(0, document.reserved - held), holds };
        await replaceIfUnchanged(container, productId, productId, next, etag);
        return held === undefined ? 'nothing-held' : 'released';
      });
    },
  };
}
