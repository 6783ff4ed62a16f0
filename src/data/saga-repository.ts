import type { Container } from '@azure/cosmos';
import type { z } from 'zod';
import { OrderSagaSchema, isFinalSagaStatus, type OrderSaga } from '../domain';
import type { SagaRepository } from '../services/ports';
import { createIfAbsent, readDocument, replaceIfUnchanged } from './documents';
import { LostRace, retryOnLostRace } from './optimistic-retry';

/**
 * A late write of an older snapshot (an activity that ran twice, a slow redelivery) must not undo progress:
 * a snapshot older than the stored one, or a non-final one over a final one, is dropped.
 */
function isStale(snapshot: OrderSaga, stored: OrderSaga): boolean {
  if (isFinalSagaStatus(stored.status) && !isFinalSagaStatus(snapshot.status)) return true;
  return Date.parse(snapshot.updatedAt) < Date.parse(stored.updatedAt);
}

/** One OrderSaga per order, `id` = `orderId` in the `/orderId` partition: read and written by point operations. */
export function createSagaRepository(container: Container): SagaRepository {
  return createSagaDocumentRepository(container, OrderSagaSchema);
}

/**
 * The same saga documents, read and written with `schema`: a schema that extends OrderSagaSchema keeps the
 * fields it adds (OrderSagaSchema alone drops whatever else a document carries).
 */
export function createSagaDocumentRepository<T extends OrderSaga>(container: Container, schema: z.ZodType<T>): SagaRepository<T> {
  const read = (orderId: string) => readDocument(container, schema, orderId, orderId);

  async function update(orderId: string, change: (saga: T | null) => T | null): Promise<T | null> {
    return retryOnLostRace(`update saga ${orderId}`, async () => {
      const found = await read(orderId);
      const current = found?.document ?? null;
      const changed = change(current);
      if (changed === null) return current;
      const next = schema.parse({ ...changed, orderId });
      const document = { ...next, id: orderId };
      if (found) {
        await replaceIfUnchanged(container, orderId, orderId, document, found.etag);
      } else if (!(await createIfAbsent(container, document))) {
        throw new LostRace(`saga ${orderId} was created concurrently`);
      }
      return next;
    });
  }

  return {
    async get(orderId) {
      return (await read(orderId))?.document ?? null;
    },

    async save(saga) {
      await update(saga.orderId, (stored) => (stored && isStale(saga, stored) ? null : saga));
    },

    update,
  };
}
