import type { ReleaseOutcome, ReserveOutcome } from '../services/ports';

export interface ReservationRequest {
  orderId: string;
  quantity: number;
}

/** Writes several reservations of one product together; answers one outcome per request, in the same order. */
export type ReserveTogether = (productId: string, requests: readonly ReservationRequest[]) => Promise<ReserveOutcome[]>;

export interface ReservationLines {
  reserve(productId: string, orderId: string, quantity: number): Promise<ReserveOutcome>;
  /** Runs the release's write in its place in the product's line. */
  release(productId: string, write: () => Promise<ReleaseOutcome>): Promise<ReleaseOutcome>;
  /** Products with writes running or waiting. */
  readonly busyProducts: number;
}

type Waiting =
  | { kind: 'reserve'; request: ReservationRequest; resolve(outcome: ReserveOutcome): void; reject(error: unknown): void }
  | { kind: 'release'; write: () => Promise<ReleaseOutcome>; resolve(outcome: ReleaseOutcome): void; reject(error: unknown): void };

/** One product document takes one replace and at most 99 hold creates per transactional batch (100 operations). */
export const MAX_RESERVATIONS_PER_BATCH = 99;

/**
 * One line of writers per product in this process. Writers of a product that race on its ETag all lose but one
 * each round, and under load a line that takes them one by one adds their round trips end to end; so the line
 * takes every reservation waiting for the product at once and writes them in one batch (one read, one write,
 * whatever the crowd), in arrival order, so an order is refused only when the units before it used the stock
 * up. Releases are rare (compensations) and go one at a time, in their place in the line.
 */
export function createReservationLines(reserveTogether: ReserveTogether, maxPerBatch = MAX_RESERVATIONS_PER_BATCH): ReservationLines {
  const lines = new Map<string, Waiting[]>();

  function join(productId: string, waiting: Waiting): void {
    const line = lines.get(productId);
    if (line) {
      line.push(waiting);
      return;
    }
    const fresh = [waiting];
    lines.set(productId, fresh);
    void drain(productId, fresh);
  }

  /** The reservations at the head of the line, up to the first release, a second request of the same order, or the batch limit. */
  function takeGroup(line: Waiting[]): Array<Extract<Waiting, { kind: 'reserve' }>> {
    const group: Array<Extract<Waiting, { kind: 'reserve' }>> = [];
    const orders = new Set<string>();
    while (line.length > 0 && group.length < maxPerBatch) {
      const next = line[0];
      if (next.kind !== 'reserve' || orders.has(next.request.orderId)) break;
      orders.add(next.request.orderId);
      group.push(next);
      line.shift();
    }
    return group;
  }

  async function drain(productId: string, line: Waiting[]): Promise<void> {
    // Let the writers that arrive in the same turn join the first batch.
    await Promise.resolve();
    while (line.length > 0) {
      const head = line[0];
      if (head.kind === 'release') {
        line.shift();
        await head.write().then(head.resolve, head.reject);
        continue;
      }
      const group = takeGroup(line);
      try {
        const outcomes = await reserveTogether(
          productId,
          group.map((waiting) => waiting.request),
        );
        group.forEach((waiting, index) => waiting.resolve(outcomes[index]));
      } catch (error) {
        for (const waiting of group) waiting.reject(error);
      }
    }
    lines.delete(productId);
  }

  return {
    reserve(productId, orderId, quantity) {
      return new Promise<ReserveOutcome>((resolve, reject) => join(productId, { kind: 'reserve', request: { orderId, quantity }, resolve, reject }));
    },
    release(productId, write) {
      return new Promise<ReleaseOutcome>((resolve, reject) => join(productId, { kind: 'release', write, resolve, reject }));
    },
    get busyProducts() {
      return lines.size;
    },
  };
}
