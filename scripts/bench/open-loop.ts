import type { SagaStyle } from '../../src/domain';
import { benchOrderBody, placeOrder, waitUntilFinal, type TrackedOrder } from './order-client';

export interface OpenLoopOptions {
  baseUrl: string;
  style: SagaStyle;
  ratePerSecond: number;
  durationSeconds: number;
  failureShare: number;
  drainSeconds: number;
}

export interface OpenLoopRun {
  orders: TrackedOrder[];
  rejected: string[];
  startedAtMs: number;
  arrivalsEndedAtMs: number;
  /** Orders the generator fell behind on: arrivals it sent more than one interval late. */
  lateArrivals: number;
}

/**
 * Open loop: orders arrive on a fixed schedule whatever the app's latency, so a slow app builds a
 * backlog (and shows it in the latency) instead of quietly slowing the load down.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopRun> {
  const intervalMs = 1000 / options.ratePerSecond;
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const orders: TrackedOrder[] = [];
  const rejected: string[] = [];
  const inFlight: Promise<void>[] = [];
  const startedAtMs = Date.now();
  let lateArrivals = 0;

  for (let index = 0; index < total; index += 1) {
    const dueAt = startedAtMs + index * intervalMs;
    const wait = dueAt - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (-wait > intervalMs) lateArrivals += 1;
    inFlight.push(
      placeOrder(options.baseUrl, benchOrderBody(options.style, index, options.failureShare), options.style).then(
        (order) => void orders.push(order),
        (error: unknown) => void rejected.push(error instanceof Error ? error.message : String(error)),
      ),
    );
  }
  await Promise.all(inFlight);
  const arrivalsEndedAtMs = Date.now();
  await waitUntilFinal(options.baseUrl, orders, arrivalsEndedAtMs + options.drainSeconds * 1000);
  return { orders, rejected, startedAtMs, arrivalsEndedAtMs, lateArrivals };
}
