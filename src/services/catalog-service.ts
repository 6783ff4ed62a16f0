import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_CATALOG, TransientFault, productFromCatalog, retryDelayMs, type RetryPolicy } from '../domain';
import type { ProductRepository } from './ports';

/**
 * Seeding at start-up meets the database as it is then: an emulator still warming up, or a throttled
 * account. A transient fault is retried for about half a minute rather than leaving products missing until
 * the next start (their orders would be refused as unknown products meanwhile).
 */
export const CATALOG_SEED_RETRY: RetryPolicy = {
  firstRetryIntervalInMilliseconds: 500,
  maxNumberOfAttempts: 8,
  backoffCoefficient: 2,
  maxRetryIntervalInMilliseconds: 8_000,
};

/** Loads the demo catalog; products already there keep their stock, so it is safe on every start and every retry. */
export async function ensureDemoCatalog(
  products: ProductRepository,
  pause: (ms: number) => Promise<void> = (ms) => sleep(ms),
  policy: RetryPolicy = CATALOG_SEED_RETRY,
): Promise<{ created: string[]; existing: string[] }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      // What a failed attempt created shows as existing to the next one.
      return await products.ensureCatalog(DEMO_CATALOG.map(productFromCatalog));
    } catch (error) {
      if (!(error instanceof TransientFault) || attempt >= policy.maxNumberOfAttempts) throw error;
      await pause(retryDelayMs(policy, attempt + 1));
    }
  }
}
