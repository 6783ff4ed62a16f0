import type { ReadDocument } from './documents';

/**
 * The copies of documents this process last read or wrote, each with its ETag, so a read-modify-replace can
 * start from the copy instead of reading the document again. A copy is only ever a starting point for a
 * conditional write: the replace carries the copy's ETag, so a copy that another writer made stale costs one
 * 412 and a fresh read, never a lost update. Reads that answer a caller never come from here.
 *
 * Bounded: the least recently used copy goes first, and callers forget documents that will not be written
 * again (a finished saga, a final order), so the heap holds only what is in flight.
 */
export interface DocumentCache<T> {
  /** A private copy of the document and its ETag, or undefined. */
  get(id: string): ReadDocument<T> | undefined;
  remember(id: string, document: T, etag: string): void;
  forget(id: string): void;
  readonly size: number;
}

export const DEFAULT_DOCUMENT_CACHE_CAPACITY = 5_000;

export function createDocumentCache<T>(capacity = DEFAULT_DOCUMENT_CACHE_CAPACITY): DocumentCache<T> {
  const copies = new Map<string, ReadDocument<T>>();
  return {
    get(id) {
      const found = copies.get(id);
      if (!found) return undefined;
      // Most recently used last: a Map iterates in insertion order.
      copies.delete(id);
      copies.set(id, found);
      return { document: structuredClone(found.document), etag: found.etag };
    },
    remember(id, document, etag) {
      copies.delete(id);
      // Without an ETag a replace would not be conditional: such a copy is never kept.
      if (!etag) return;
      copies.set(id, { document: structuredClone(document), etag });
      while (copies.size > capacity) {
        const oldest = copies.keys().next();
        if (oldest.done) break;
        copies.delete(oldest.value);
      }
    },
    forget(id) {
      copies.delete(id);
    },
    get size() {
      return copies.size;
    },
  };
}
