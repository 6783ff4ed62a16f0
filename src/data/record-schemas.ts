import { z } from 'zod';
import type { PaymentMethodRecord, PaymentRecord, ShipmentRecord } from '../services/ports';

/** What the data layer accepts when it reads a payment or shipment back; typed against the ports' records. */
export const PaymentRecordSchema: z.ZodType<PaymentRecord> = z.object({
  orderId: z.string().min(1),
  amount: z.number().nonnegative(),
  currency: z.string(),
  status: z.enum(['Captured', 'Declined', 'Refunded']),
  transactionId: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ShipmentRecordSchema: z.ZodType<ShipmentRecord> = z.object({
  orderId: z.string().min(1),
  status: z.enum(['Shipped', 'Cancelled']),
  trackingNumber: z.string(),
  country: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const PaymentMethodRecordSchema: z.ZodType<PaymentMethodRecord> = z.object({
  orderId: z.string().min(1),
  paymentReference: z.string().min(1),
  issuerVerdict: z.enum(['approve', 'decline']),
  createdAt: z.string(),
});
