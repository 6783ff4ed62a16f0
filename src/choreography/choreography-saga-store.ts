import type { Container } from '@azure/cosmos';
import { createIfAbsent, readDocument, replaceIfUnchanged } from '../data/documents';
import { LostRace, retryOnLostRace } from '../data/optimistic-retry';
import { ChoreographySagaDocumentSchema, type ChoreographySagaDocument } from './saga-event-log';

/** The saga document with its event log, changed by read-modify-replace with If-Match. */
export interface ChoreographySagaStore {
  /** `change` returns null to leave the document as it is; the answer is the document as stored. */
  update(
    orderId: string,
    change: (stored: ChoreographySagaDocument | null) => ChoreographySagaDocument | null,
  ): Promise<ChoreographySagaDocument | null>;
}

/**
 * The same document the saga repository serves (id = partition key = order id), read and written with a
 * schema that keeps the event log: the repository's OrderSaga schema would drop it on every write.
 */
export function createChoreographySagaStore(sagas: Container): ChoreographySagaStore {
  return {
    update(orderId, change) {
      return retryOnLostRace(`update choreography saga ${orderId}`, async () => {
        const found = await readDocument(sagas, ChoreographySagaDocumentSchema, orderId, orderId);
        const current = found?.document ?? null;
        const changed = change(current);
        if (changed === null) return current;
        const next = ChoreographySagaDocumentSchema.parse({ ...changed, orderId });
        const document = { ...next, id: orderId };
        if (found) {
          await replaceIfUnchanged(sagas, orderId, orderId, document, found.etag);
        } else if (!(await createIfAbsent(sagas, document))) {
          throw new LostRace(`saga ${orderId} was created concurrently`);
        }
        return next;
      });
    },
  };
}
