import type { Container } from '@azure/cosmos';
import type { z } from 'zod';
import { OrderSagaSchema, isFinalSagaStatus, type OrderSaga } from '../domain';
import type { SagaRepository } from '../services/ports';
import { rememberingReads, updateCopyFirst, type UpdateAttempt } from './copy-first-update';
import { createDocumentCache, type DocumentCache } from './document-cache';
import { createDocument, readDocument, replaceIfUnchanged, type ReadDocument } from './documents';
import { LostRace } from './optimistic-retry';

/**
 * A late write of an older snapshot (an activity that ran twice, a slow redelivery) must not undo progress:
 * a snapshot older than the stored one, or a non-final one over a final one, is dropped.
 */
function isStale(snapshot: OrderSaga, stored: OrderSaga): boolean {
  if (isFinalSagaStatus(stored.status) && !isFinalSagaStatus(snapshot.status)) return true;
  return Date.parse(snapshot.updatedAt) < Date.parse(stored.updatedAt);
}

/** A finished saga is not written again (a late snapshot is dropped): no copy of it is kept. */
const worthKeeping = (saga: OrderSaga): boolean => !isFinalSagaStatus(saga.status);

/** One OrderSaga per order, `id` = `orderId` in the `/orderId` partition: read and written by point operations. */
export function createSagaRepository(container: Container): SagaRepository {
  return createSagaDocumentRepository(container, OrderSagaSchema);
}

/**
 * The same saga documents, read and written with `schema`: a schema that extends OrderSagaSchema keeps the
 * fields it adds (OrderSagaSchema alone drops whatever else a document carries).
 * Updates start from the copy this process last read or wrote (document-cache.ts), under its ETag: a saga's
 * record is written after each of its steps, mostly by the process that wrote it before. Without a copy, a
 * record is first assumed new (the first write of a saga), and read only if it turns out to exist.
 */
export function createSagaDocumentRepository<T extends OrderSaga>(
  container: Container,
  schema: z.ZodType<T>,
  copies: DocumentCache<T> = createDocumentCache(),
): SagaRepository<T> {
  const read = rememberingReads(copies, (orderId: string) => readDocument(container, schema, orderId, orderId), worthKeeping);

  function update(orderId: string, change: (saga: T | null) => T | null): Promise<T | null> {
    let assumeNew = copies.get(orderId) === undefined;

    async function attemptFrom(found: ReadDocument<T> | null): Promise<UpdateAttempt<T, T | null>> {
      const assumed = found === null && assumeNew;
      assumeNew = false;
      const current = found?.document ?? null;
      const changed = change(current);
      if (changed === null) {
        // Leaving a record alone is decided on the stored record, never on the assumption that there is none.
        if (!assumed) return { wrote: false, result: current };
        const stored = await read(orderId);
        return stored ? attemptFrom(stored) : { wrote: false, result: null };
      }
      const next = schema.parse({ ...changed, orderId });
      const document = { ...next, id: orderId };
      const etag = found
        ? await replaceIfUnchanged(container, orderId, orderId, document, found.etag)
        : await createDocument(container, document);
      if (etag === null) throw new LostRace(`saga ${orderId} already exists`);
      return { wrote: true, document: next, etag, result: next };
    }

    return updateCopyFirst<T, T | null>({
      what: `update saga ${orderId}`,
      id: orderId,
      copies,
      read: () => (assumeNew ? Promise.resolve(null) : read(orderId)),
      keep: worthKeeping,
      attempt: attemptFrom,
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
