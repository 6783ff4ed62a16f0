import type { Container, SqlParameter } from '@azure/cosmos';
import { StoredOrderSchema, TransientFault, isFinalOrderStatus, type StoredOrder } from '../domain';
import {
  RecordNotFound,
  type OrderListQuery,
  type OrderPage,
  type OrderRepository,
} from '../services/ports';
import { cosmosCall } from './cosmos-errors';
import { decodeContinuationToken, encodeContinuationToken } from './continuation-token';
import { createDocumentCache, type DocumentCache } from './document-cache';
import { createDocument, parseDocument, readDocument, replaceIfUnchanged } from './documents';
import { rememberingReads, updateCopyFirst } from './copy-first-update';

/** A final order is never written again by a saga: no copy of it is kept. */
const worthKeeping = (order: StoredOrder): boolean => !isFinalOrderStatus(order.status);

/**
 * Orders are partitioned by their own id: every saga lookup is a point read; only listing queries. Updates
 * start from the copy this process last read or wrote (document-cache.ts), under its ETag.
 */
export function createOrderRepository(container: Container, copies: DocumentCache<StoredOrder> = createDocumentCache()): OrderRepository {
  const read = rememberingReads(copies, (orderId: string) => readDocument(container, StoredOrderSchema, orderId, orderId), worthKeeping);

  /**
   * Every listing is a TOP query drained in full: the SDK never has to hand a continuation token out or take
   * one back, which a cross-partition ORDER BY on a multi-partition account cannot do without query control.
   */
  async function queryTop(top: number, rest: string, parameters: SqlParameter[]): Promise<StoredOrder[]> {
    // TOP is written into the query text, so only a whole number may get there.
    if (!Number.isSafeInteger(top) || top < 1) throw new RangeError(`A page size must be a positive whole number, not ${top}`);
    const query = { query: `SELECT TOP ${top} * FROM c${rest}`, parameters };
    const { resources } = await cosmosCall('query orders', () => container.items.query(query, { maxItemCount: top }).fetchAll());
    return resources.map((raw: unknown) => parseDocument(StoredOrderSchema, raw, 'orders item'));
  }

  return {
    async create(order) {
      const document = StoredOrderSchema.parse(order);
      const etag = await createDocument(container, document);
      if (etag !== null) {
        copies.remember(document.id, document, etag);
        return { created: true, order: document };
      }
      const existing = await read(order.id);
      // Only possible if the order vanished between the 409 and the read; the caller's retry sorts it out.
      if (!existing) throw new TransientFault(`Order ${order.id} conflicted on create but could not be read`);
      return { created: false, order: existing.document };
    },

    async get(orderId) {
      return (await read(orderId))?.document ?? null;
    },

    update(orderId, change) {
      return updateCopyFirst({
        what: `update order ${orderId}`,
        id: orderId,
        copies,
        read: () => read(orderId),
        keep: worthKeeping,
        async attempt(found) {
          if (!found) throw new RecordNotFound(`Order ${orderId} does not exist`);
          const changed = change(found.document);
          if (changed === null) return { wrote: false, result: found.document };
          const next = StoredOrderSchema.parse({ ...changed, id: orderId });
          const etag = await replaceIfUnchanged(container, orderId, orderId, next, found.etag);
          return { wrote: true, document: next, etag, result: next };
        },
      });
    },

    async list(listQuery: OrderListQuery): Promise<OrderPage> {
      const filters: string[] = [];
      const parameters: SqlParameter[] = [];
      if (listQuery.customerId !== undefined) {
        filters.push('c.customerId = @customerId');
        parameters.push({ name: '@customerId', value: listQuery.customerId });
      }
      if (listQuery.status !== undefined) {
        filters.push('c.status = @status');
        parameters.push({ name: '@status', value: listQuery.status });
      }
      const filterKey = JSON.stringify([listQuery.customerId ?? null, listQuery.status ?? null]);
      if (listQuery.continuationToken !== undefined) {
        const after = decodeContinuationToken(listQuery.continuationToken, filterKey);
        // (createdAt, id) descending: ties on createdAt are broken by id, so no order is skipped or repeated.
        filters.push('(c.createdAt < @afterCreatedAt OR (c.createdAt = @afterCreatedAt AND c.id < @afterId))');
        parameters.push({ name: '@afterCreatedAt', value: after.createdAt }, { name: '@afterId', value: after.id });
      }
      const where = filters.length > 0 ? ` WHERE ${filters.join(' AND ')}` : '';
      // One more than a page tells whether another page exists without a second query.
      const limit = listQuery.limit;
      const found = await queryTop(limit + 1, `${where} ORDER BY c.createdAt DESC, c.id DESC`, parameters);
      const items = found.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items,
        continuationToken: found.length > limit && last ? encodeContinuationToken(last, filterKey) : null,
      };
    },

    listPendingCreatedBefore(createdBefore, limit) {
      return sweepQuery('Pending', 'createdAt', createdBefore, limit);
    },

    listProcessingUpdatedBefore(updatedBefore, limit) {
      return sweepQuery('Processing', 'updatedAt', updatedBefore, limit);
    },
  };

  /** Orders in `status` whose `field` is before `before`, oldest first, at most `limit`: one `TOP` query. */
  function sweepQuery(status: StoredOrder['status'], field: 'createdAt' | 'updatedAt', before: string, limit: number) {
    return queryTop(limit, ` WHERE c.status = @status AND c.${field} < @before ORDER BY c.${field}`, [
      { name: '@status', value: status },
      { name: '@before', value: before },
    ]);
  }
}
