import type { Container, OperationInput } from '@azure/cosmos';
import { TransientFault, type Product } from '../domain';
import type { ProductRepository, ReleaseOutcome, ReserveOutcome } from '../services/ports';
import { cosmosCall, isTransientCosmosError } from './cosmos-errors';
import { rememberingReads } from './copy-first-update';
import { createDocumentCache } from './document-cache';
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
import { createReservationLines, type ReservationRequest } from './reservation-lines';

/**
 * Losing an ETag race is not a business failure: a reservation keeps trying while its time budget lasts, so a
 * popular product never refuses an order while it has stock. Within this process the writers of one product
 * wait in one line and do not race at all (reservation-lines.ts); the retries are for writers in other
 * processes (scaled-out hosts).
 */
export const CONTENDED_WRITE_RETRY: OptimisticRetryOptions = {
  maxAttempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 2,
  maxDelayMs: 50,
  budgetMs: 15_000,
};

/** On success, the new ETag of each operation's document (when the server gave one). */
type BatchResult = { ok: true; etags: Array<string | undefined> } | { ok: false; index: number; status: number };

/**
 * Stock and holds of each product live in the product's own partition of the inventory container (see
 * inventory-documents.ts). A reservation is one transactional batch: the product document replaced under
 * If-Match with the units moved from `available` to `reserved`, and the order's hold document created (for
 * every reservation waiting in the product's line at once). All happen or none, so the counters always equal the
 * sum of the holds; the hold's id makes a second reservation for the same order fail as a conflict instead of
 * holding twice.
 */
export function createProductRepository(container: Container, retry: OptimisticRetryOptions = CONTENDED_WRITE_RETRY): ProductRepository {
  // The product document as this process last read or wrote it: the reservation line of a product writes it
  // batch after batch, so each batch starts from the copy the previous one wrote, under its ETag, instead of a
  // read. A writer elsewhere makes the copy stale: its batch fails with a 412 and the product is read again.
  const productCopies = createDocumentCache<ProductDocument>(1_000);
  const readProduct = rememberingReads(productCopies, (productId: string) => readDocument(container, ProductDocumentSchema, productId, productId), () => true);
  const rememberWritten = (productId: string, document: ProductDocument, etag: string | undefined) => {
    if (etag) productCopies.remember(productId, document, etag);
    else productCopies.forget(productId);
  };
  const readHold = (productId: string, orderId: string) => readDocument(container, HoldDocumentSchema, holdId(orderId), productId);

  async function get(productId: string): Promise<Product | null> {
    const found = await readProduct(productId);
    return found ? toProduct(found.document) : null;
  }

  async function commit(productId: string, operations: OperationInput[]): Promise<BatchResult> {
    let response;
    try {
      response = await cosmosCall(`batch ${container.id}/${productId}`, () => container.items.batch(operations, productId));
    } catch (error) {
      // A batch that may or may not have been applied leaves the product unknown.
      productCopies.forget(productId);
      throw error;
    }
    const results = response.result ?? [];
    const failed = results.findIndex((result) => result.statusCode >= 400 && result.statusCode !== 424);
    if (failed >= 0) return { ok: false, index: failed, status: results[failed].statusCode };
    if (response.code !== undefined && response.code >= 400) return { ok: false, index: -1, status: response.code };
    return { ok: true, etags: results.map((result) => (typeof result.eTag === 'string' ? result.eTag : undefined)) };
  }

  function unexpected(what: string, result: { status: number }): Error {
    const error = Object.assign(new Error(`${what}: the batch failed with status ${result.status}`), { code: result.status });
    return isTransientCosmosError(error) ? new TransientFault(error.message, { cause: error }) : error;
  }

  /** What an existing hold means for a reservation of the same order. */
  const outcomeOfHold = (hold: ReadDocument<HoldDocument>): ReserveOutcome => (hold.document.state === 'released' ? 'released' : 'already-reserved');

  async function outcomeOfExisting(productId: string, orderId: string): Promise<ReserveOutcome> {
    const hold = await readHold(productId, orderId);
    if (!hold) throw new LostRace(`the hold of ${orderId} on ${productId} vanished while reserving`);
    return outcomeOfHold(hold);
  }

  /**
   * Reserves for several orders in one transactional batch: the product replaced under If-Match with the sum of
   * the units taken, and one hold created per order taken. Orders are served in the given order; one that does
   * not fit in what the earlier ones left is refused as insufficient (or answered from the hold it already has).
   */
  async function reserveTogether(productId: string, requests: readonly ReservationRequest[]): Promise<ReserveOutcome[]> {
    const outcomes: Array<ReserveOutcome | undefined> = requests.map(() => undefined);
    let open = requests.map((_, index) => index);
    const what = `reserve ${productId} for ${requests.length === 1 ? requests[0].orderId : `${requests.length} orders`}`;
    await retryOnLostRace(
      what,
      async () => {
        while (open.length > 0) {
          const product = productCopies.get(productId) ?? (await readProduct(productId));
          if (!product) {
            for (const index of open) outcomes[index] = 'unknown-product';
            open = [];
            return;
          }
          const { document, etag } = product;
          let available = document.available;
          const taking: number[] = [];
          const short: number[] = [];
          for (const index of open) {
            if (requests[index].quantity <= available) {
              available -= requests[index].quantity;
              taking.push(index);
            } else {
              short.push(index);
            }
          }

          if (taking.length > 0) {
            const units = document.available - available;
            const next: ProductDocument = { ...document, available, reserved: document.reserved + units };
            const result = await commit(productId, [
              { operationType: 'Replace', id: productId, ifMatch: etag, resourceBody: next },
              ...taking.map(
                (index): OperationInput => ({ operationType: 'Create', resourceBody: holdDocument(productId, requests[index].orderId, requests[index].quantity, 'held') }),
              ),
            ]);
            if (!result.ok) {
              if (result.index === 0 && result.status === 412) {
                productCopies.forget(productId);
                throw new LostRace(`product ${productId} changed since it was read`);
              }
              if (result.index >= 1 && result.status === 409) {
                // This order holds already (an earlier attempt): answer it from its hold, and try the others again.
                const index = taking[result.index - 1];
                outcomes[index] = await outcomeOfExisting(productId, requests[index].orderId);
                open = open.filter((candidate) => candidate !== index);
                continue;
              }
              productCopies.forget(productId);
              throw unexpected(what, result);
            }
            rememberWritten(productId, next, result.etags[0]);
            for (const index of taking) outcomes[index] = 'reserved';
          }

          // A retry of an order that took the last units must still find its reservation.
          const holds = await Promise.all(short.map((index) => readHold(productId, requests[index].orderId)));
          short.forEach((index, position) => {
            const hold = holds[position];
            outcomes[index] = hold ? outcomeOfHold(hold) : 'insufficient';
          });
          open = [];
        }
      },
      retry,
    );
    return outcomes.map((outcome) => outcome ?? 'insufficient');
  }

  async function releaseOnce(productId: string, orderId: string, known: ReadDocument<HoldDocument> | null): Promise<ReleaseOutcome> {
    const hold = known ?? (await readHold(productId, orderId));
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
    if (result.ok) {
      const written = operations[0];
      if (product && written.operationType === 'Replace') rememberWritten(productId, written.resourceBody as ProductDocument, result.etags[0]);
      return 'released';
    }
    productCopies.forget(productId);
    if (result.status === 412) throw new LostRace(`product ${productId} or the hold of ${orderId} changed since read`);
    throw unexpected(`release ${productId} for ${orderId}`, result);
  }

  const lines = createReservationLines(reserveTogether);

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

    reserve: (productId, orderId, quantity) => lines.reserve(productId, orderId, quantity),
    async release(productId, orderId) {
      // Most releases find nothing held (a refused reservation): the tombstone alone does not touch the product,
      // so it need not wait in the product's line.
      const hold = await readHold(productId, orderId);
      if (hold?.document.state === 'released') return 'nothing-held';
      if (!hold && (await createIfAbsent(container, holdDocument(productId, orderId, 0, 'released')))) return 'nothing-held';
      // The first attempt uses the hold just read; a lost race reads it again.
      let known = hold;
      return lines.release(productId, () =>
        retryOnLostRace(
          `release ${productId} for ${orderId}`,
          () => {
            const first = known;
            known = null;
            return releaseOnce(productId, orderId, first);
          },
          retry,
        ),
      );
    },
  };
}
