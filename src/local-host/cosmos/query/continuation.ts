/**
 * The continuation a page hands back: how many results of the query came before the next page, and a
 * fingerprint of the query, so a token is only taken back by the query that made it. Offsets are stable as
 * long as the documents do not change between pages: every order ends in a unique tie-break (the rowid).
 */
import { createHash } from 'node:crypto';
import { QueryError } from './errors';

export function queryFingerprint(query: string, parameters: unknown): string {
  return createHash('sha256').update(query).update('\0').update(JSON.stringify(parameters ?? [])).digest('base64url').slice(0, 12);
}

export function encodeContinuation(fingerprint: string, offset: number): string {
  return JSON.stringify({ offset, query: fingerprint });
}

export function decodeContinuation(token: string | undefined, fingerprint: string): number {
  if (token === undefined || token === '') return 0;
  let decoded: unknown;
  try {
    decoded = JSON.parse(token);
  } catch {
    throw new QueryError('The continuation token is not one this server issued');
  }
  const { offset, query } = (decoded ?? {}) as { offset?: unknown; query?: unknown };
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new QueryError('The continuation token is not one this server issued');
  }
  if (query !== fingerprint) throw new QueryError('The continuation token belongs to another query or other parameters');
  return offset;
}
