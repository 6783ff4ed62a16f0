import { z } from 'zod';
import { OrderStatusSchema } from '../domain';
import type { OrderListQuery } from '../services/ports';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export const OrderListQuerySchema = z.object({
  customerId: z.string().trim().min(1).max(100).optional(),
  status: OrderStatusSchema.optional(),
  limit: z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be at least 1`).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`))
    .default(DEFAULT_PAGE_SIZE),
  continuationToken: z.string().min(1).max(4096).optional(),
});

/** Reads `GET /api/orders` query parameters; an empty parameter counts as absent. */
export function parseOrderListQuery(query: URLSearchParams): ReturnType<typeof OrderListQuerySchema.safeParse> {
  const raw: Record<string, string> = {};
  for (const name of ['customerId', 'status', 'limit', 'continuationToken'] as const) {
    const value = query.get(name);
    if (value !== null && value !== '') raw[name] = value;
  }
  return OrderListQuerySchema.safeParse(raw);
}

export type ParsedOrderListQuery = z.infer<typeof OrderListQuerySchema>;

export function toOrderListQuery(parsed: ParsedOrderListQuery): OrderListQuery {
  const query: OrderListQuery = { limit: parsed.limit };
  if (parsed.customerId !== undefined) query.customerId = parsed.customerId;
  if (parsed.status !== undefined) query.status = parsed.status;
  if (parsed.continuationToken !== undefined) query.continuationToken = parsed.continuationToken;
  return query;
}
