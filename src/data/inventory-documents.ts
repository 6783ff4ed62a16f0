import { z } from 'zod';
import { ProductSchema, type Product } from '../domain';

/**
 * The documents of one product's partition (`/productId`) in the inventory container.
 *
 * - The product document: id = product id; the catalog fields and the stock counters `available` and
 *   `reserved`. Its size never changes, whatever the number of orders.
 * - One hold document per order that reserved the product: id = `hold:<orderId>`. `held` while the order keeps
 *   the units (in flight, or shipped: `reserved` counts both); `released` once ReleaseInventory gave them back.
 *   A released hold is a tombstone: a reservation that arrives after the release (a timed-out attempt landing
 *   late, a message resubmitted from a dead-letter queue) must not hold stock for a saga that already gave it
 *   back, because nothing would ever release it again. ReleaseInventory for an order that never held anything
 *   leaves a tombstone too.
 */
export const ProductDocumentSchema = ProductSchema.extend({
  productId: z.string(),
  docType: z.literal('product'),
});
export type ProductDocument = z.infer<typeof ProductDocumentSchema>;

export const HoldDocumentSchema = z.object({
  id: z.string(),
  productId: z.string(),
  docType: z.literal('hold'),
  orderId: z.string(),
  /** Units held; for a released hold, the units it gave back (0 when it never held any). */
  quantity: z.number().int().nonnegative(),
  state: z.enum(['held', 'released']),
});
export type HoldDocument = z.infer<typeof HoldDocumentSchema>;

export const holdId = (orderId: string): string => `hold:${orderId}`;

export function productDocument(product: Product): ProductDocument {
  return { ...ProductSchema.parse(product), productId: product.id, docType: 'product' };
}

export function toProduct(document: ProductDocument): Product {
  return ProductSchema.parse(document);
}

export function holdDocument(productId: string, orderId: string, quantity: number, state: HoldDocument['state']): HoldDocument {
  return { id: holdId(orderId), productId, docType: 'hold', orderId, quantity, state };
}
