import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { CleanTextSchema, OrderStatusSchema } from '../domain';
import type { OrderListQuery } from '../services/ports';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export const OrderListQuerySchema = z.object({
  customerId: z.string().trim().min(1).max(100).pipe(CleanTextSchema).optional(),
  status: OrderStatusSchema.optional(),
  limit: z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be at least 1`).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`))
    .default(DEFAULT_PAGE_SIZE),
  continuationToken: z.string().min(1).max(4096).optional(),
});

/**
 * The query string as the client sent it. `request.query` comes from the host, which joins a repeated
 * parameter's values with a comma (`?customerId=a&customerId=b` reads as the customer "a,b"); the URL keeps them apart.
 */
export function queryParametersOf(request: HttpRequest): URLSearchParams {
  try {
    return new URL(request.url).searchParams;
  } catch {
    return request.query;
  }
}

const PARAMETERS = ['customerId', 'status', 'limit', 'continuationToken'] as const;

/**
 * Reads `GET /api/orders` query parameters; an empty parameter counts as absent. A parameter given twice is
 * a 400: the Functions host would join the values with a comma, which means neither of them.
 */
export function parseOrderListQuery(query: URLSearchParams): OrderListQueryResult {
  const repeated = PARAMETERS.filter((name) => query.getAll(name).length > 1);
  if (repeated.length > 0) {
    const issues = repeated.map((name) => ({ code: 'custom' as const, path: [name], message: 'give this parameter once', input: query.getAll(name) }));
    return { success: false, error: new z.ZodError(issues) };
  }
  const raw: Record<string, string> = {};
  for (const name of PARAMETERS) {
    const value = query.get(name);
    if (value !== null && value !== '') raw[name] = value;
  }
  return OrderListQuerySchema.safeParse(raw);
}

export type ParsedOrderListQuery = z.infer<typeof OrderListQuerySchema>;

export type OrderListQueryResult = { success: true; data: ParsedOrderListQuery } | { success: false; error: z.ZodError };

export function toOrderListQuery(parsed: ParsedOrderListQuery): OrderListQuery {
  const query: OrderListQuery = { limit: parsed.limit };
  if (parsed.customerId !== undefined) query.customerId = parsed.customerId;
  if (parsed.status !== undefined) query.status = parsed.status;
  if (parsed.continuationToken !== undefined) query.continuationToken = parsed.continuationToken;
  return query;
}
