import { z } from 'zod';
import { FailureSimulationSchema, SagaStyleSchema, ShippingAddressSchema } from './order';

export const MAX_ORDER_LINES = 50;

const CardNumberSchema = z
  .string()
  .transform((value) => value.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits').refine(passesLuhn, 'fails the Luhn check'));

export const CreateOrderRequestSchema = z
  .object({
    customerId: z.string().trim().min(1).max(100),
    items: z
      .array(
        z.strictObject({
          productId: z.string().trim().min(1).max(100),
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
    shippingAddress: z.strictObject(ShippingAddressSchema.shape),
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
