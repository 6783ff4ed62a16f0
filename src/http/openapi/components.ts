import type { ResumeAnswer } from '../../orchestration/resume-order-saga';
import { z } from 'zod';
import type { HealthReport } from '../../app-services';
import { CreateOrderRequestSchema, OrderSagaSchema, OrderSchema, ProductSchema } from '../../domain';
import type { ProblemDocument } from '../problem';

/*
 * The schemas of the API document. Requests and single resources are the very schemas the handlers parse
 * with; the envelopes around them (a page of orders, the catalog, a problem) are composed here from those,
 * with a compile-time check wherever the handler's shape is a TypeScript type rather than a schema.
 */

export const FieldErrorSchema = z
  .object({
    path: z.string().meta({ description: 'The field, written as a client points at it: `items.0.quantity`, or a header name.' }),
    message: z.string(),
  })
  .meta({ description: 'One reason a field was refused.' });

/** RFC 9457 problem details; extension members (such as `checks` on a 503 from the health check) may follow. */
export const ProblemSchema = z
  .looseObject({
    type: z.string().meta({ description: '`about:blank`: the status code carries the meaning.' }),
    title: z.string().meta({ description: 'The status phrase, e.g. "Bad Request".' }),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional().meta({ description: 'What went wrong with this request, in words.' }),
    errors: z.array(FieldErrorSchema).optional().meta({ description: 'Each field that failed validation.' }),
  })
  .meta({ description: 'A problem document (RFC 9457), the body of every 4xx and 5xx answer.' });

export const OrderPageSchema = z
  .object({
    items: z.array(OrderSchema).meta({ description: 'Newest first.' }),
    continuationToken: z.string().nullable().meta({ description: 'Pass it back unchanged for the next page; null on the last page.' }),
  })
  .meta({ description: 'One page of orders.' });

export const ProductListSchema = z.object({ items: z.array(ProductSchema) }).meta({ description: 'The whole catalog with stock levels.' });

const CheckResultSchema = z.enum(['ok', 'failed', 'not-configured']);

export const HealthChecksSchema = z.object({ config: CheckResultSchema, cosmos: CheckResultSchema, serviceBus: CheckResultSchema });

export const HealthReportSchema = z
  .object({ status: z.literal('ok'), checks: HealthChecksSchema })
  .meta({ description: 'Ready: the settings are valid, the database answers and a message broker is configured.' });

export const HealthProblemSchema = ProblemSchema.extend({ checks: HealthChecksSchema }).meta({
  description: 'Not ready: a problem document with the result of each check as the extension member `checks`.',
});

export const SagaResumeAnswerSchema = z
  .object({
    orderId: z.string(),
    action: z.enum(['restarted', 'compensations-resumed', 'redriven']),
    detail: z.string(),
  })
  .meta({ description: 'What the operator action did to the saga, and why.' });

/** Fails to compile when the handler's types and the documented schemas drift apart. */
type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const SCHEMAS_MATCH_HANDLER_TYPES: [
  SameShape<z.infer<typeof HealthChecksSchema>, HealthReport['checks']>,
  SameShape<z.infer<typeof ProblemSchema>, ProblemDocument & Record<string, unknown>>,
  SameShape<z.infer<typeof SagaResumeAnswerSchema>, { orderId: string } & Omit<Extract<ResumeAnswer, { kind: 'resumed' }>, 'kind'>>,
] = [true, true, true];

/** The request bodies, as a client sends them (before defaults and transforms). */
export const REQUEST_SCHEMAS = { CreateOrderRequest: CreateOrderRequestSchema } as const;

/** The response bodies, as the service writes them. */
export const RESPONSE_SCHEMAS = {
  Order: OrderSchema,
  OrderPage: OrderPageSchema,
  OrderSaga: OrderSagaSchema,
  Product: ProductSchema,
  ProductList: ProductListSchema,
  HealthReport: HealthReportSchema,
  Problem: ProblemSchema,
  HealthProblem: HealthProblemSchema,
  SagaResumeAnswer: SagaResumeAnswerSchema,
} as const;
