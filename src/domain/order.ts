import { z } from 'zod';

export const ORDER_STATUSES = ['Pending', 'Processing', 'Completed', 'Cancelled', 'Failed'] as const;
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

export const FINAL_ORDER_STATUSES: readonly OrderStatus[] = ['Completed', 'Cancelled', 'Failed'];

export const SAGA_STYLES = ['orchestration', 'choreography'] as const;
export const SagaStyleSchema = z.enum(SAGA_STYLES);
export type SagaStyle = z.infer<typeof SagaStyleSchema>;

export const FAILURE_SIMULATIONS = ['inventory', 'payment', 'fulfillment', 'refund'] as const;
export const FailureSimulationSchema = z.enum(FAILURE_SIMULATIONS);
export type FailureSimulation = z.infer<typeof FailureSimulationSchema>;

export const PAYMENT_STATUSES = ['Pending', 'Authorized', 'Captured', 'Declined', 'Refunded'] as const;
export const PaymentStatusSchema = z.enum(PAYMENT_STATUSES);
export type PaymentStatus = z.infer<typeof PaymentStatusSchema>;

export const ShippingAddressSchema = z.object({
  name: z.string().trim().min(1).max(200),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(20),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code in upper case, e.g. "US"'),
});
export type ShippingAddress = z.infer<typeof ShippingAddressSchema>;

export const OrderItemSchema = z.object({
  productId: z.string(),
  productName: z.string(),
  quantity: z.number().int().min(1).max(100),
  unitPrice: z.number().nonnegative(),
});
export type OrderItem = z.infer<typeof OrderItemSchema>;

/** What the order keeps of the payment: never the card number, only its last four digits. */
export const PaymentInfoSchema = z.object({
  method: z.literal('card'),
  last4: z.string().regex(/^\d{4}$/),
  status: PaymentStatusSchema,
  transactionId: z.string().nullable(),
});
export type PaymentInfo = z.infer<typeof PaymentInfoSchema>;

/** The public shape of an order (GET /api/orders/{id}). */
export const OrderSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  sagaStyle: SagaStyleSchema,
  items: z.array(OrderItemSchema),
  totalAmount: z.number().nonnegative(),
  currency: z.string(),
  payment: PaymentInfoSchema,
  shippingAddress: ShippingAddressSchema,
  status: OrderStatusSchema,
  statusReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Order = z.infer<typeof OrderSchema>;

/**
 * What the store keeps beside the public order: the opaque reference of the card the payment step kept (no
 * card data in any form: neither the number nor anything computed from it), the failure simulation, and the
 * request hash behind an Idempotency-Key.
 */
export const StoredOrderSchema = OrderSchema.extend({
  paymentReference: z.string().min(1),
  simulateFailure: FailureSimulationSchema.nullable(),
  idempotencyKeyHash: z.string().nullable(),
  requestHash: z.string(),
});
export type StoredOrder = z.infer<typeof StoredOrderSchema>;

export function toPublicOrder(order: StoredOrder): Order {
  return OrderSchema.parse(order);
}

export function isFinalOrderStatus(status: OrderStatus): boolean {
  return FINAL_ORDER_STATUSES.includes(status);
}
