import type { Container, ItemDefinition } from '@azure/cosmos';
import type { z } from 'zod';
import { cosmosCall, isConflict, isNotFound } from './cosmos-errors';

/** Properties Cosmos adds to every document; they never leave the data layer. */
const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_ts', '_attachments'] as const;

export function stripSystemProperties(document: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...document };
  for (const property of SYSTEM_PROPERTIES) delete copy[property];
  return copy;
}

/** A stored document that no longer matches its schema: a bug or a manual edit, never worth retrying. */
export class StoredDocumentInvalid extends Error {
  override readonly name = 'StoredDocumentInvalid';
}

export function parseDocument<S extends z.ZodType>(schema: S, raw: unknown, where: string): z.infer<S> {
  const stripped = typeof raw === 'object' && raw !== null ? stripSystemProperties(raw as Record<string, unknown>) : raw;
  const parsed = schema.safeParse(stripped);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new StoredDocumentInvalid(`${where} does not match its schema: ${problems}`);
  }
  return parsed.data;
}

export interface ReadDocument<T> {
  document: T;
  etag: string;
}

/** A point read (id + partition key): the cheapest Cosmos operation, and the only kind on the saga's hot path. */
export async function readDocument<S extends z.ZodType>(
  container: Container,
  schema: S,
  id: string,
  partitionKey: string,
): Promise<ReadDocument<z.infer<S>> | null> {
  const response = await cosmosCall(`read ${container.id}/${id}`, async () => {
    try {
      return await container.item(id, partitionKey).read<ItemDefinition>();
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  });
  if (!response || response.statusCode === 404 || !response.resource) return null;
  return {
    document: parseDocument(schema, response.resource, `${container.id}/${id}`),
    etag: response.etag,
  };
}

/**
 * Replaces the document only if nobody changed it since it was read; a lost race surfaces as a 412. Returns the
 * new ETag.
 */
export async function replaceIfUnchanged<T extends object>(
  container: Container,
  id: string,
  partitionKey: string,
  document: T,
  etag: string,
): Promise<string> {
  const response = await cosmosCall(`replace ${container.id}/${id}`, () =>
    container.item(id, partitionKey).replace(document, { accessCondition: { type: 'IfMatch', condition: etag } }),
  );
  return response.etag;
}

/** Creates the document and returns its ETag; a 409 (already there) is returned as null rather than thrown. */
export async function createDocument<T extends ItemDefinition>(container: Container, document: T): Promise<string | null> {
  return cosmosCall(`create ${container.id}/${String(document.id)}`, async () => {
    try {
      return (await container.items.create(document)).etag;
    } catch (error) {
      if (isConflict(error)) return null;
      throw error;
    }
  });
}

/** Creates the document; a 409 (already there) is returned as false rather than thrown. */
export async function createIfAbsent<T extends ItemDefinition>(container: Container, document: T): Promise<boolean> {
  return (await createDocument(container, document)) !== null;
}
