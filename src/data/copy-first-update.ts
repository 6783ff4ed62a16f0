import type { DocumentCache } from './document-cache';
import type { ReadDocument } from './documents';
import { DEFAULT_OPTIMISTIC_RETRY, retryOnLostRace, type OptimisticRetryOptions } from './optimistic-retry';

/** What one attempt of an update did: wrote the document (and got its new ETag), or left it as it was. */
export type UpdateAttempt<T, R> = { wrote: true; document: T; etag: string; result: R } | { wrote: false; result: R };

export interface CopyFirstUpdate<T, R> {
  what: string;
  id: string;
  copies: DocumentCache<T>;
  /** A point read of the stored document (null when there is none). */
  read(): Promise<ReadDocument<T> | null>;
  /**
   * One read-modify-write from `found` (null: no document). Its write must be conditional on `found.etag` (or a
   * create), so that a stale `found` loses with a 412 or LostRace.
   */
  attempt(found: ReadDocument<T> | null): Promise<UpdateAttempt<T, R>>;
  /** Whether a written document may be written again and is worth keeping a copy of. */
  keep(document: T): boolean;
  retry?: OptimisticRetryOptions;
}

/**
 * A read-modify-replace that starts from this process's copy of the document when it has one, which saves the
 * read on every write of a document this process wrote last (the saga record and the order it mirrors, written
 * by one saga after another step). The copy's ETag guards the write: if anyone else wrote since, the replace
 * loses with a 412 and the next attempt reads the stored document, as without a copy. A decision not to write
 * is never taken on a copy alone: it is checked against a fresh read, so a stale copy cannot make a needed
 * write look unnecessary.
 */
export function updateCopyFirst<T, R>(update: CopyFirstUpdate<T, R>): Promise<R> {
  let copy = update.copies.get(update.id);
  return retryOnLostRace(
    update.what,
    async () => {
      try {
        const first = copy;
        copy = undefined;
        const fromCopy = first ? await update.attempt(first) : undefined;
        const outcome = fromCopy?.wrote ? fromCopy : await update.attempt(await update.read());
        if (outcome.wrote) {
          if (update.keep(outcome.document)) update.copies.remember(update.id, outcome.document, outcome.etag);
          else update.copies.forget(update.id);
        }
        return outcome.result;
      } catch (error) {
        // A lost race or a fault leaves the stored document unknown: the next attempt reads it.
        update.copies.forget(update.id);
        throw error;
      }
    },
    update.retry ?? DEFAULT_OPTIMISTIC_RETRY,
  );
}

/** Wraps a point read so that what it finds becomes the copy a later update starts from. */
export function rememberingReads<T>(
  copies: DocumentCache<T>,
  read: (id: string) => Promise<ReadDocument<T> | null>,
  keep: (document: T) => boolean,
): (id: string) => Promise<ReadDocument<T> | null> {
  return async (id) => {
    const found = await read(id);
    if (found && keep(found.document)) copies.remember(id, found.document, found.etag);
    else copies.forget(id);
    return found;
  };
}
