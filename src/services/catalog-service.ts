import { DEMO_CATALOG, productFromCatalog } from '../domain';
import type { ProductRepository } from './ports';

/** Loads the demo catalog; products already there keep their stock, so it is safe on every start. */
export function ensureDemoCatalog(products: ProductRepository): Promise<{ created: string[]; existing: string[] }> {
  return products.ensureCatalog(DEMO_CATALOG.map(productFromCatalog));
}
