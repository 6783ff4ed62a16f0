import type { Product } from '../domain';

/** The product as the API shows it; stored documents carry bookkeeping (partition key, document type) that stays inside. */
export function toPublicProduct(product: Product): Product {
  const { id, name, category, price, currency, available, reserved } = product;
  return { id, name, category, price, currency, available, reserved };
}
