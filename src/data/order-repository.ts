import type { Container, SqlParameter } from '@azure/cosmos';
import { StoredOrderSchema, TransientFault, type StoredOrder } from '../domain';
import {
  InvalidContinuationToken,
  RecordNotFound,
  type OrderListQuery,
  type OrderPage,
  type OrderRepository,
} from '../services/ports';
import { cosmosCall, cosmosStatus } from './cosmos-errors';
import { decodeContinuationToken, encodeContinuationToken } from './continuation-token';
import { createIfAbsent, parseDocument, readDocument, replaceIfUnchanged } from './documents';
import { retryOnLostRace } from './optimistic-retry';

/** Orders are partitioned by their own id: every saga lookup is a point read; only listing queries. */
export function createOrderRepository(container: Container): OrderRepository {
  const read = (orderId: string) => readDocument(container, StoredOrderSchema, orderId, orderId);

  async function query(text: string, parameters: SqlParameter[], maxItemCount: number, continuationToken?: string) {
    return cosmosCall('query orders', () =>
      container.items.query({ query: text, parameters }, { maxItemCount, continuationToken }).fetchNext(),
    );
  }

  return {
    async create(order) {
      const document = StoredOrderSchema.parse(order);
      if (await createIfAbsent(container, document)) return { created: true, order: document };
      const existing = await read(order.id);
      // Only possible if the order vanished between the 409 and the read; the caller's retry sorts it out.
      if (!existing) throw new TransientFault(`Order ${order.id} conflicted on create but could not be read`);
      return { created: false, order: existing.document };
    },

    async get(orderId) {
      return (await read(orderId))?.document ?? null;
    },

    update(orderId, change) {
      return retryOnLostRace(`update order ${orderId}`, async () => {
        const found = await read(orderId);
        if (!found) throw new RecordNotFound(`Order ${orderId} does not exist`);
        const changed = change(found.document);
        if (changed === null) return found.document;
        const next = StoredOrderSchema.parse({ ...changed, id: orderId });
        await replaceIfUnchanged(container, orderId, orderId, next, found.etag);
        return next;
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
      const where = filters.length > 0 ? ` WHERE ${filters.join(' AND ')}` : '';
      const filterKey = JSON.stringify([listQuery.customerId ?? null, listQuery.status ?? null]);
      const sdkToken =
        listQuery.continuationToken === undefined ? undefined : decodeContinuationToken(listQuery.continuationToken, filterKey);

      let page;
      try {
        page = await query(`SELECT * FROM c${where} ORDER BY c.createdAt DESC`, parameters, listQuery.limit, sdkToken);
      } catch (error) {
        // A well-wrapped token whose inner SDK token was tampered with is still the client's mistake.
        const status = cosmosStatus(error);
        if (sdkToken !== undefined && !(error instanceof TransientFault) && (status === undefined || status === 400)) {
          throw new InvalidContinuationToken('Malformed continuation token: the database rejected it', { cause: error });
        }
        throw error;
      }
      return {
        items: page.resources.map((raw: unknown) => parseDocument(StoredOrderSchema, raw, 'orders item')),
        continuationToken: page.continuationToken ? encodeContinuationToken(page.continuationToken, filterKey) : null,
      };
    },

    listPendingCreatedBefore(createdBefore, limit) {
      return sweepQuery('Pending', 'createdAt', createdBefore, limit);
    },

    listProcessingUpdatedBefore(updatedBefore, limit) {
      return sweepQuery('Processing', 'updatedAt', updatedBefore, limit);
    },
  };

  /** Orders in `status` whose `field` is before `before`, oldest first, at most `limit`. */
  async function sweepQuery(status: StoredOrder['status'], field: 'createdAt' | 'updatedAt', before: string, limit: number) {
    const orders: StoredOrder[] = [];
    let continuationToken: string | undefined;
    // Cross-partition pages may come back short (even empty) while more remain; keep going up to `limit`.
    do {
      const page = await query(
        `SELECT * FROM c WHERE c.status = @status AND c.${field} < @before ORDER BY c.${field}`,
        [
          { name: '@status', value: status },
          { name: '@before', value: before },
        ],
        limit - orders.length,
        continuationToken,
      );
      orders.push(...page.resources.map((raw: unknown) => parseDocument(StoredOrderSchema, raw, 'orders item')));
      continuationToken = page.continuationToken;
    } while (continuationToken && orders.length < limit);
    return orders.slice(0, limit);
  }
}
