import type { Container } from '@azure/cosmos';
import type { z } from 'zod';
import { TransientFault } from '../domain';
import { RecordNotFound, type OrderKeyedRepository } from '../services/ports';
import { createIfAbsent, parseDocument, readDocument, replaceIfUnchanged } from './documents';
import { retryOnLostRace } from './optimistic-retry';

/**
 * One record per order (a payment, a shipment), stored with `id` = `orderId` in the `/orderId` partition, so
 * a step finds what an earlier attempt did with a single point read and can never create a second record.
 * `documentId` lets a second kind of record per order share the container (the card kept beside a payment).
 */
export function createOrderKeyedRepository<T extends { orderId: string }>(
  container: Container,
  schema: z.ZodType<T>,
  documentId: (orderId: string) => string = (orderId) => orderId,
): OrderKeyedRepository<T> {
  const read = (orderId: string) => readDocument(container, schema, documentId(orderId), orderId);
  const toDocument = (record: T) => ({ ...parseDocument(schema, record, `${container.id} record`), id: documentId(record.orderId) });

  return {
    async get(orderId) {
      return (await read(orderId))?.document ?? null;
    },

    async createOnce(record) {
      if (await createIfAbsent(container, toDocument(record))) return { created: true, record: parseDocument(schema, record, container.id) };
      const existing = await read(record.orderId);
      if (!existing) throw new TransientFault(`${container.id}/${record.orderId} conflicted on create but could not be read`);
      return { created: false, record: existing.document };
    },

    update(orderId, change) {
      return retryOnLostRace(`update ${container.id}/${orderId}`, async () => {
        const found = await read(orderId);
        if (!found) throw new RecordNotFound(`${container.id}/${orderId} does not exist`);
        const changed = change(found.document);
        if (changed === null) return found.document;
        const document = toDocument({ ...changed, orderId });
        await replaceIfUnchanged(container, documentId(orderId), orderId, document, found.etag);
        return parseDocument(schema, document, `${container.id}/${orderId}`);
      });
    },
  };
}
