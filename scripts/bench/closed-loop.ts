import type { SagaStyle } from '../../src/domain';
import { benchOrderBody, placeOrder, type TrackedOrder } from './order-client';
import { startProgress } from './progress';
import type { SagaEndWatcher } from './saga-end-watcher';

export interface ClosedLoopStep {
  concurrency: number;
  completed: number;
  sagasPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** How long one client waits for a saga before giving up on it (it is then left out, as unfinished). */
const SAGA_DEADLINE_MS = 120_000;

/**
 * Closed loop: `concurrency` clients each place an order and wait for its final status before placing
 * the next. Raising the concurrency until throughput stops growing finds the sustainable maximum.
 */
export async function runClosedLoop(
  baseUrl: string,
  style: SagaStyle,
  concurrency: number,
  durationSeconds: number,
  failureShare: number,
  watcher: SagaEndWatcher,
  progressSeconds = 5,
  write: (line: string) => void = (line) => console.log(line),
): Promise<TrackedOrder[]> {
  const endAt = Date.now() + durationSeconds * 1000;
  const done: TrackedOrder[] = [];
  let index = 0;
  const progress = startProgress({
    label: `${style} ×${concurrency}`,
    intervalMs: progressSeconds * 1000,
    snapshot: () => ({ sent: index, completed: done.length, inFlight: index - done.length }),
    write,
  });
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < endAt) {
          const order = await placeOrder(baseUrl, benchOrderBody(style, index++, failureShare), style);
          await watcher.waitFor(order, Date.now() + SAGA_DEADLINE_MS);
          if (order.finalStatus) done.push(order);
        }
      }),
    );
  } finally {
    await progress.stop();
  }
  return done;
}
