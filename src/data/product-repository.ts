import type { Container, OperationInput } from '@azure/cosmos';
import { TransientFault, type Product } from '../domain';
import type { ProductRepository, ReleaseOutcome, ReserveOutcome } from '../services/ports';
import { cosmosCall, isTransientCosmosError } from './cosmos-errors';
import { createIfAbsent, parseDocument, readDocument, type ReadDocument } from './documents';
import {
  HoldDocumentSchema,
  ProductDocumentSchema,
  holdDocument,
  holdId,
  productDocument,
  toProduct,
  type HoldDocument,
  type ProductDocument,
} from './inventory-documents';
import { LostRace, retryOnLostRace, type OptimisticRetryOptions } from './optimistic-retry';
import { createPerKeyQueue } from './per-key-queue';

/**
 * Losing an ETag race is not a business failure: a reservation keeps trying while its time budget lasts, so a
 * popular product never refuses an order while it has stock. Within this process writers of one product queue
 * up and do not race at all; the retries are for writers in other processes (scaled-out hosts).
 */
export const CONTENDED_WRITE_RETRY: OptimisticRetryOptions = {
  maxAttempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 2,
  maxDelayMs: 50,
  budgetMs: 15_000,
};

type BatchResult = { ok: true } | { ok: false; index: number; status: number };

/**
 * Stock and holds of each product live in the product's own partition of the inventory container (see
 * inventory-documents.ts). A reservation is one transactional batch: the product document replaced under
 * If-Match with the units moved from `available` to `reserved`, and the order's hold document created. Both
 * happen or neither, so the counters always equal the sum of the holds; the hold's id makes a second
 * reservation for the same order fail as a conflict instead of holding twice.
 */
export function createProductRepository(container: Container, retry: OptimisticRetryOptions = CONTENDED_WRITE_RETRY): ProductRepository {
  const line = createPerKeyQueue();
  const readProduct = (productId: string) => readDocument(container, ProductDocumentSchema, productId, productId);
  const readHold = (productId: string, orderId: string) => readDocument(container, HoldDocumentSchema, holdId(orderId), productId);

  async function get(productId: string): Promise<Product | null> {
    const found = await readProduct(productId);
    return found ? toProduct(found.document) : null;
  }

  async function commit(productId: string, operations: OperationInput[]): Promise<BatchResult> {
    const response = await cosmosCall(`batch ${container.id}/${productId}`, () => container.items.batch(operations, productId));
    const results = response.result ?? [];
    const failed = results.findIndex((result) => result.statusCode >= 400 && result.statusCode !== 424);
    if (failed >= 0) return { ok: false, index: failed, status: results[failed].statusCode };
    if (response.code !== undefined && response.code >= 400) return { ok: false, index: -1, status: response.code };
    return { ok: true };
  }

  function unexpected(what: string, result: { status: number }): Error {
    const error = Object.assign(new Error(`${what}: the batch failed with status ${result.status}`), { code: result.status });
    return isTransientCosmosError(error) ? new TransientFault(error.message, { cause: error }) : error;
  }

  /** What an existing hold means for a reservation of the same order. */
  const outcomeOfExisting = (hold: ReadDocument<HoldDocument>): ReserveOutcome =>
    hold.document.state === 'released' ? 'released' : 'already-reserved';

  async function reserveOnce(productId: string, orderId: string, quantity: number): Promise<ReserveOutcome> {
    const product = await readProduct(productId);
    if (!product) return 'unknown-product';
    const { document, etag } = product;
    if (document.available < quantity) {
      // A retry of an order that took the last units must still find its reservation.
      const hold = await readHold(productId, orderId);
      return hold ? outcomeOfExisting(hold) : 'insufficient';
    }
    const next: ProductDocument = { ...document, available: document.available - quantity, reserved: document.reserved + quantity };
    const result = await commit(productId, [
      { operationType: 'Replace', id: productId, ifMatch: etag, resourceBody: next },
      { operationType: 'Create', resourceBody: holdDocument(productId, orderId, quantity, 'held') },
    ]);
    if (result.ok) return 'reserved';
    if (result.index === 0 && result.status === 412) throw new LostRace(`product ${productId} changed since it was read`);
    if (result.index === 1 && result.status === 409) {
      const hold = await readHold(productId, orderId);
      if (!hold) throw new LostRace(`the hold of ${orderId} on ${productId} vanished while reserving`);
      return outcomeOfExisting(hold);
    }
    throw unexpected(`reserve ${productId} for ${orderId}`, result);
  }

  async function releaseOnce(productId: string, orderId: string): Promise<ReleaseOutcome> {
    const hold = await readHold(productId, orderId);
    if (!hold) {
      // Nothing held: leave the tombstone so a reservation arriving later is refused.
      const created = await createIfAbsent(container, holdDocument(productId, orderId, 0, 'released'));
      if (!created) throw new LostRace(`a hold of ${orderId} on ${productId} appeared while releasing`);
      return 'nothing-held';
    }
    if (hold.document.state === 'released') return 'nothing-held';

    const held = hold.document.quantity;
    const released: HoldDocument = { ...hold.document, state: 'released' };
    const product = await readProduct(productId);
    const operations: OperationInput[] = [{ operationType: 'Replace', id: released.id, ifMatch: hold.etag, resourceBody: released }];
    if (product) {
      const { document, etag } = product;
      const next: ProductDocument = { ...document, available: document.available + held, reserved: Math.max(0, document.reserved - held) };
      operations.unshift({ operationType: 'Replace', id: productId, ifMatch: etag, resourceBody: next });
    }
    const result = await commit(productId, operations);
    if (result.ok) return 'released';
    if (result.status === 412) throw new LostRace(`product ${productId} or the hold of ${orderId} changed since read`);
    throw unexpected(`release ${productId} for ${orderId}`, result);
  }

  return {
    async list() {
      const { resources } = await cosmosCall('list products', () =>
        container.items.query({ query: "SELECT * FROM c WHERE c.docType = 'product'" }).fetchAll(),
      );
      return resources
        .map((raw: unknown) => toProduct(parseDocument(ProductDocumentSchema, raw, `${container.id} item`)))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
          const list = (await createIfAbsent(container, productDocument(product))) ? created : existing;
          list.push(product.id);
        }),
      );
      return { created: created.sort(), existing: existing.sort() };
    },

    reserve(productId, orderId, quantity) {
      return line.run(productId, () => retryOnLostRace(`reserve ${productId} for ${orderId}`, () => reserveOnce(productId, orderId, quantity), retry));
    },

    release(productId, orderId) {
      return line.run(productId, () => retryOnLostRace(`release ${productId} for ${orderId}`, () => releaseOnce(productId, orderId), retry));
    },
  };
}
