import { businessFailure, succeeded, type SagaOrder, type StepResult } from '../domain';
import type { CompensationOutcome, ProductRepository } from './ports';

export interface ReservedLines {
  items: Array<{ productId: string; quantity: number }>;
}

/** The ReserveInventory step and its compensation, ReleaseInventory. */
export class InventoryService {
  constructor(private readonly deps: { products: ProductRepository }) {}

  /**
   * All or nothing across the order's lines. Lines go in productId order so concurrent orders meet on the
   * products in the same sequence. A retry after a transient fault finds its earlier holds already in place.
   */
  async reserve(order: SagaOrder): Promise<StepResult<ReservedLines>> {
    if (order.simulateFailure === 'inventory') return businessFailure('Simulated inventory failure');

    const lines = [...order.items].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
    for (const line of lines) {
      const outcome = await this.deps.products.reserve(line.productId, order.orderId, line.quantity);
      if (outcome === 'reserved' || outcome === 'already-reserved') continue;

      const reason =
        outcome === 'unknown-product'
          ? `Product ${line.productId} is not in the catalog`
          : outcome === 'released'
            ? `The reservation of order ${order.orderId} was already released; its saga is compensating or over`
            : await this.shortfall(line.productId, line.quantity);
      await this.release(order);
      return businessFailure(reason);
    }
    return succeeded({ items: lines.map((line) => ({ productId: line.productId, quantity: line.quantity })) });
  }

  /** Gives back every unit this order holds; safe to run any number of times, and for lines never reserved. */
  async release(order: SagaOrder): Promise<CompensationOutcome> {
    let released = false;
    for (const line of order.items) {
      if ((await this.deps.products.release(line.productId, order.orderId)) === 'released') released = true;
    }
    return released ? 'Compensated' : 'NothingToCompensate';
  }

  private async shortfall(productId: string, requested: number): Promise<string> {
    const product = await this.deps.products.get(productId);
    const available = product?.available ?? 0;
    return `Insufficient stock for product ${productId}: requested ${requested}, available ${available} (short by ${requested - available})`;
  }
}
