import type { Product } from './catalog';
import { DEFAULT_CURRENCY, roundMoney } from './money';
import type { OrderItem } from './order';

export interface RequestedLine {
  productId: string;
  quantity: number;
}

export type PricingResult =
  | { ok: true; items: OrderItem[]; totalAmount: number; currency: string }
  | { ok: false; unknownProductIds: string[] };

/** Prices always come from the catalog, never from the client. */
export function priceOrder(lines: readonly RequestedLine[], catalog: ReadonlyMap<string, Product>): PricingResult {
  const unknownProductIds = lines.filter((line) => !catalog.has(line.productId)).map((line) => line.productId);
  if (unknownProductIds.length > 0) return { ok: false, unknownProductIds };

  const items = lines.map((line) => {
    const product = catalog.get(line.productId) as Product;
    return { productId: product.id, productName: product.name, quantity: line.quantity, unitPrice: product.price };
  });
  const totalAmount = roundMoney(items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0));
  const currency = catalog.get(lines[0]?.productId ?? '')?.currency ?? DEFAULT_CURRENCY;
  return { ok: true, items, totalAmount, currency };
}
