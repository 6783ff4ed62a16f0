/**
 * Partition key values as the documents table keys them: `JSON.stringify` of the value at the container's
 * partition key path, `'{}'` when the document has none (Cosmos DB's `PartitionKey.None`, which the SDK sends
 * as `[{}]`).
 */

export const noPartitionKey = '{}';

/** A document's value at one path like `/pk` or `/address/zip`. */
function valueAt(document: Record<string, unknown>, path: string): unknown {
  let current: unknown = document;
  for (const segment of path.split('/').slice(1)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment.replace(/^"|"$/g, '')];
  }
  return current;
}

/** The key of a document in a container partitioned by `paths` (hierarchical keys: the array of values). */
export function documentPartitionKey(document: Record<string, unknown>, paths: readonly string[]): string {
  if (paths.length === 0) return noPartitionKey;
  if (paths.length === 1) {
    const value = valueAt(document, paths[0] ?? '');
    return value === undefined ? noPartitionKey : JSON.stringify(value);
  }
  return JSON.stringify(paths.map((path) => valueAt(document, path) ?? {}));
}

/**
 * The key named by the `x-ms-documentdb-partitionkey` header (a JSON array), or undefined when there is none.
 * Throws on a header that is not a JSON array.
 */
export function headerPartitionKey(header: string | undefined, paths: readonly string[]): string | undefined {
  if (header === undefined || header === '') return undefined;
  const parsed: unknown = JSON.parse(header);
  if (!Array.isArray(parsed)) throw new SyntaxError('The partition key header must be a JSON array.');
  if (paths.length > 1) return JSON.stringify(parsed);
  const [value] = parsed as unknown[];
  if (value === undefined) return noPartitionKey;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return noPartitionKey;
  return JSON.stringify(value);
}
