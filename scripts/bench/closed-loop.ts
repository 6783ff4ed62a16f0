import type { SagaStyle } from '../../src/domain';
import { benchOrderBody, checkOrder, placeOrder, type TrackedOrder } from './order-client';

export interface ClosedLoopStep {
  concurrency: number;
  completed: number;
  sagasPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

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
): Promise<TrackedOrder[]> {
  const endAt = Date.now() + durationSeconds * 1000;
  const done: TrackedOrder[] = [];
  let index = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < endAt) {
        const order = await placeOrder(baseUrl, benchOrderBody(style, index++, failureShare), style);
        while (!(await checkOrder(baseUrl, order))) await new Promise((resolve) => setTimeout(resolve, 50));
        done.push(order);
      }
    }),
  );
  return done;
}
