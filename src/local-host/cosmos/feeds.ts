/**
 * Reading a container's documents as a feed: the read feed (storage order, paged) and the change feed.
 */
import { Answer, feed, parseBody, problemAnswer } from './answers';
import type { ContainerInfo, DocumentStore } from './document-store';
import { headerPartitionKey } from './partition-key';
import type { CosmosRequest } from './protocol';

export function readFeed(store: DocumentStore, container: ContainerInfo, request: CosmosRequest): Answer {
  const { headers } = request;
  const requested = headers['x-ms-max-item-count'] ? Number.parseInt(headers['x-ms-max-item-count'], 10) : 100;
  const limit = Number.isFinite(requested) && requested > 0 ? requested : 1_000_000;
  let after: { pk: string; id: string } | undefined;
  if (headers['x-ms-continuation']) {
    const parsed = parseBody(headers['x-ms-continuation']);
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') return problemAnswer(400, 'BadRequest', 'The continuation token is not valid.');
    after = { pk: parsed[0], id: parsed[1] };
  }
  const rows = store.page(container.key, after, limit + 1);
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return feed(
    'Documents',
    container.rid,
    pageRows.map((row) => row.body),
    more && last ? { 'x-ms-continuation': JSON.stringify([last.pk, last.id]) } : {},
  );
}

/**
 * The change feed: documents in the order of their last write, each once at its latest version. The
 * continuation is the log sequence number, carried as the ETag: `If-None-Match: *` starts from now, no
 * header from the beginning; 304 when nothing was written since.
 */
export function changeFeed(store: DocumentStore, container: ContainerInfo, request: CosmosRequest): Answer {
  const { headers } = request;
  const from = headers['if-none-match'];
  let after: number;
  if (from === undefined || from === '') after = 0;
  else if (from === '*') return new Answer(304, '', { etag: `"${store.lsn}"` });
  else {
    after = Number(from.replace(/"/g, ''));
    if (!Number.isInteger(after) || after < 0) return problemAnswer(400, 'BadRequest', 'The change feed continuation is not valid.');
  }
  const requested = headers['x-ms-max-item-count'] ? Number.parseInt(headers['x-ms-max-item-count'], 10) : 100;
  const limit = Number.isFinite(requested) && requested > 0 ? requested : 1_000_000;
  const partitionKey = headerPartitionKey(headers['x-ms-documentdb-partitionkey'], container.partitionKeyPaths);
  const rows = store.changesAfter(container.key, after, limit, partitionKey);
  const last = rows[rows.length - 1];
  if (!last) return new Answer(304, '', { etag: `"${after}"` });
  return feed(
    'Documents',
    container.rid,
    rows.map((row) => row.body),
    { etag: `"${last.lsn}"`, 'x-ms-documentdb-lsn': String(last.lsn) },
  );
}
