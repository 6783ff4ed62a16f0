/**
 * Single-document operations (create, upsert, read, replace, delete, patch), shared by the document routes
 * and the transactional batch. Each takes what the request named and answers a status and the stored JSON
 * text, which goes back to the client as it is, without being parsed again.
 */
import { applyPatch, PatchError } from './patch';
import { documentPartitionKey } from './partition-key';
import type { ContainerInfo, DocumentStore, JsonObject } from './document-store';

export interface OperationOutcome {
  status: number;
  /** The stored document's JSON text (2xx with a body). */
  body?: string;
  etag?: string;
  /** Cosmos DB's problem code and message (4xx). */
  code?: string;
  message?: string;
}

export interface WriteTarget {
  container: ContainerInfo;
  /** The partition key the request named (header or batch), when it named one. */
  partitionKey: string | undefined;
  ifMatch?: string | undefined;
}

/** Every write gets a new ETag; derived from the log sequence number, so it is unique in the file. */
export function etagOf(lsn: number): string {
  return `"${lsn.toString(16).padStart(8, '0')}-0000-0000-0000-000000000000"`;
}

const systemProperties = ['_rid', '_self', '_etag', '_attachments', '_ts'];

function problem(status: number, code: string, message: string): OperationOutcome {
  return { status, code, message };
}

export const notFound = (): OperationOutcome => problem(404, 'NotFound', 'Entity with the specified id does not exist in the system.');
const conflict = (): OperationOutcome => problem(409, 'Conflict', 'Entity with the specified id already exists in the system.');
const preconditionFailed = (): OperationOutcome =>
  problem(412, 'PreconditionFailed', 'Operation cannot be performed because one of the specified precondition is not met.');

export function badRequest(message: string): OperationOutcome {
  return problem(400, 'BadRequest', message);
}

function invalidId(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return "The input content is invalid because the required property 'id' is missing or not a non-empty string.";
  if (id.length > 255) return 'The id is longer than 255 characters.';
  if (/[/\\?#]/.test(id)) return "The id must not contain '/', '\\', '?' or '#'.";
  return undefined;
}

/** The `_rid` the stored text carries (system properties are written last, so the last one is the document's). */
function storedRid(body: string): string | undefined {
  const at = body.lastIndexOf('"_rid":"');
  if (at < 0) return undefined;
  const start = at + 8;
  const end = body.indexOf('"', start);
  return end < 0 ? undefined : body.slice(start, end);
}

function newRid(container: ContainerInfo, lsn: number): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(lsn));
  return `${container.rid.replace(/=+$/, '')}${bytes.toString('base64url')}`;
}

export class DocumentOperations {
  constructor(private readonly store: DocumentStore) {}

  /** Parses a request body into a document, or answers the 400 for it. */
  parseDocument(body: string | undefined): { document: JsonObject } | { problem: OperationOutcome } {
    if (!body) return { problem: badRequest('The request body is missing.') };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { problem: badRequest('The request body is not valid JSON.') };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: badRequest('A document must be a JSON object.') };
    return { document: parsed as JsonObject };
  }

  read(container: ContainerInfo, partitionKey: string, id: string): OperationOutcome {
    const stored = this.store.read(container.key, partitionKey, id);
    if (!stored) return notFound();
    return { status: 200, body: stored.body, etag: etagOf(stored.lsn) };
  }

  create(target: WriteTarget, document: JsonObject): OperationOutcome {
    return this.#write(target, document, 'create');
  }

  upsert(target: WriteTarget, document: JsonObject): OperationOutcome {
    return this.#write(target, document, 'upsert');
  }

  replace(target: WriteTarget, id: string, document: JsonObject): OperationOutcome {
    if (document.id !== id) return badRequest(`The document's id '${String(document.id)}' does not match the id '${id}' in the address.`);
    return this.#write(target, document, 'replace');
  }

  delete(target: WriteTarget, id: string): OperationOutcome {
    const pk = target.partitionKey ?? '{}';
    const stored = this.store.read(target.container.key, pk, id);
    if (!stored) return notFound();
    if (target.ifMatch && target.ifMatch !== '*' && target.ifMatch !== etagOf(stored.lsn)) return preconditionFailed();
    this.store.transaction(() => {
      this.store.delete(target.container.key, pk, id);
      this.store.nextLsn();
    });
    return { status: 204 };
  }

  patch(target: WriteTarget, id: string, body: unknown): OperationOutcome {
    const pk = target.partitionKey ?? '{}';
    const stored = this.store.read(target.container.key, pk, id);
    if (!stored) return notFound();
    if (target.ifMatch && target.ifMatch !== '*' && target.ifMatch !== etagOf(stored.lsn)) return preconditionFailed();
    const operations = Array.isArray(body) ? body : (body as { operations?: unknown } | null)?.operations;
    if (!Array.isArray(operations)) return badRequest('A patch request needs a list of operations.');
    let document: JsonObject;
    try {
      document = applyPatch(JSON.parse(stored.body) as JsonObject, operations);
    } catch (error) {
      if (error instanceof PatchError) return badRequest(error.message);
      throw error;
    }
    if (document.id !== id) return badRequest('A patch cannot change the id.');
    if (documentPartitionKey(document, target.container.partitionKeyPaths) !== pk) return badRequest('A patch cannot change the partition key.');
    return this.#write({ ...target, partitionKey: pk, ifMatch: undefined }, document, 'replace');
  }

  #write(target: WriteTarget, document: JsonObject, mode: 'create' | 'upsert' | 'replace'): OperationOutcome {
    const idProblem = invalidId(document.id);
    if (idProblem) return badRequest(idProblem);
    const id = document.id as string;
    const { container } = target;
    const pk = documentPartitionKey(document, container.partitionKeyPaths);
    if (target.partitionKey !== undefined && target.partitionKey !== pk) {
      return badRequest("PartitionKey extracted from document doesn't match the one specified in the header.");
    }
    const stored = this.store.read(container.key, pk, id);
    if (mode === 'create' && stored) return conflict();
    if (mode === 'replace' && !stored) return notFound();
    if (stored && target.ifMatch && target.ifMatch !== '*' && target.ifMatch !== etagOf(stored.lsn)) return preconditionFailed();

    return this.store.transaction(() => {
      const lsn = this.store.nextLsn();
      const rid = (stored && storedRid(stored.body)) ?? newRid(container, lsn);
      for (const name of systemProperties) delete document[name];
      const etag = etagOf(lsn);
      document._rid = rid;
      document._self = `${container.self}docs/${rid}/`;
      document._etag = etag;
      document._attachments = 'attachments/';
      document._ts = Math.floor(Date.now() / 1000);
      const body = JSON.stringify(document);
      if (stored) this.store.update(container.key, pk, id, body, lsn);
      else this.store.insert(container.key, pk, id, body, lsn);
      return { status: stored ? 200 : 201, body, etag };
    });
  }
}
