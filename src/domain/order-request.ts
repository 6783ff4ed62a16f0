import { z } from 'zod';
import { FailureSimulationSchema, SagaStyleSchema, ShippingAddressSchema } from './order';
import { documentIdProblem, textProblem } from './text-rules';

export const MAX_ORDER_LINES = 50;

const CardNumberSchema = z
  .string()
  .transform((value) => value.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits').refine(passesLuhn, 'fails the Luhn check'));

/** Text a client sends that the order keeps and listings show: see text-rules.ts for why. */
export const CleanTextSchema = z.string().check((ctx) => {
  const problem = textProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

/** An id that is looked up as a Cosmos DB document: a bad one is a 400 here, never an SDK error later. */
export const DocumentIdSchema = z.string().check((ctx) => {
  const problem = documentIdProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

/** Every string field of the address checked as clean text, with the field's own path in the error. */
const CleanShippingAddressSchema = z.strictObject(ShippingAddressSchema.shape).superRefine((address, ctx) => {
  for (const [field, value] of Object.entries(address)) {
    const problem = typeof value === 'string' ? textProblem(value) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
  }
});

export const CreateOrderRequestSchema = z
  .object({
    customerId: z.string().trim().min(1).max(100).pipe(CleanTextSchema),
    items: z
      .array(
        z.strictObject({
          productId: z.string().trim().min(1).max(100).pipe(DocumentIdSchema),
          quantity: z.number().int().min(1).max(100),
        }),
      )
      .min(1)
      .max(MAX_ORDER_LINES)
      .superRefine((items, ctx) => {
        const seen = new Set<string>();
        items.forEach((item, index) => {
          if (seen.has(item.productId)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'productId'],
              message: `duplicate line for product "${item.productId}"; put the whole quantity on one line`,
            });
          }
          seen.add(item.productId);
        });
      }),
    payment: z.strictObject({ method: z.literal('card'), cardNumber: CardNumberSchema }),
    // Strict like the rest of the request: the address is stored as sent, so nothing may be dropped silently.
    shippingAddress: CleanShippingAddressSchema,
    sagaStyle: SagaStyleSchema.default('orchestration'),
    simulateFailure: FailureSimulationSchema.optional(),
  })
  .strict();

export type CreateOrderRequest = z.infer<typeof CreateOrderRequestSchema>;

/** The check digit every real card number carries; it catches typos before a charge is attempted. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}
