import type { SagaStyle } from '../../src/domain';
import { benchOrderBody, checkOrder, placeOrder, waitUntilFinal, type TrackedOrder } from './order-client';
import { startProgress } from './progress';

export interface OpenLoopOptions {
  baseUrl: string;
  style: SagaStyle;
  ratePerSecond: number;
  durationSeconds: number;
  failureShare: number;
  drainSeconds: number;
  /** Seconds between progress lines (0: none). */
  progressSeconds?: number;
  write?(line: string): void;
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
  let sent = 0;
  let arriving = true;
  const finished = (): number => orders.filter((order) => order.finalStatus).length;
  const progress = startProgress({
    label: options.style,
    intervalMs: (options.progressSeconds ?? 5) * 1000,
    snapshot: () => {
      const completed = finished();
      return { sent, completed, inFlight: sent - completed - rejected.length };
    },
    // While orders arrive nobody else reads their status: one pass per line finds the finished ones. The
    // latency does not depend on it (it is the server's updatedAt), and the reads are not counted as saga work.
    beforeTick: async () => {
      if (!arriving) return;
      const open = orders.filter((o) => !o.finalStatus);
      await Promise.all(Array.from({ length: 4 }, async () => {
        for (let next = open.shift(); next; next = open.shift()) await checkOrder(options.baseUrl, next);
      }));
    },
    write: options.write ?? ((line) => console.log(line)),
  });

  for (let index = 0; index < total; index += 1) {
    const dueAt = startedAtMs + index * intervalMs;
    const wait = dueAt - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (-wait > intervalMs) lateArrivals += 1;
    sent += 1;
    inFlight.push(
      placeOrder(options.baseUrl, benchOrderBody(options.style, index, options.failureShare), options.style).then(
        (order) => void orders.push(order),
        (error: unknown) => void rejected.push(error instanceof Error ? error.message : String(error)),
      ),
    );
  }
  await Promise.all(inFlight);
  arriving = false;
  const arrivalsEndedAtMs = Date.now();
  try {
    await waitUntilFinal(options.baseUrl, orders, arrivalsEndedAtMs + options.drainSeconds * 1000);
  } finally {
    await progress.stop();
  }
  return { orders, rejected, startedAtMs, arrivalsEndedAtMs, lateArrivals };
}
