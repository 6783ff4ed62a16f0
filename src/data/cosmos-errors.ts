import { TransientFault } from '../domain';

/** Cosmos statuses worth retrying: throttled, unavailable, timed out, or a write lost to a concurrent one. */
const TRANSIENT_STATUSES = new Set([408, 429, 449, 503]);

/** Socket-level failures surface as string codes (from Node or the SDK's HTTP pipeline). */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'REQUEST_SEND_ERROR',
  'TimeoutError',
]);

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** The HTTP status of a Cosmos error, or undefined for anything else. */
export function cosmosStatus(error: unknown): number | undefined {
  const code = codeOf(error);
  if (typeof code === 'number') return code;
  if (typeof error === 'object' && error !== null) {
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number') return statusCode;
  }
  return undefined;
}

export const isNotFound = (error: unknown): boolean => cosmosStatus(error) === 404;
export const isConflict = (error: unknown): boolean => cosmosStatus(error) === 409;
export const isPreconditionFailed = (error: unknown): boolean => cosmosStatus(error) === 412;

export function isTransientCosmosError(error: unknown): boolean {
  const status = cosmosStatus(error);
  if (status !== undefined && TRANSIENT_STATUSES.has(status)) return true;
  const code = codeOf(error);
  if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return true;
  const name = error instanceof Error ? error.name : undefined;
  return name === 'AbortError' || name === 'TimeoutError';
}

/**
 * Runs one Cosmos operation and turns faults that may pass into TransientFault, which the saga's retry
 * policies (and HTTP adapters, as 503) recognise without knowing about Cosmos. Everything else is rethrown.
 */
export async function cosmosCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TransientFault || !isTransientCosmosError(error)) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new TransientFault(`Cosmos DB ${operation} failed transiently: ${detail}`, { cause: error });
  }
}
