import type { SagaStyle } from '../../src/domain';
import { benchOrderBody, placeOrder, type TrackedOrder } from './order-client';
import { startProgress } from './progress';
import type { SagaEndWatcher } from './saga-end-watcher';

export interface OpenLoopOptions {
  baseUrl: string;
  /** The styles take turns, order by order (one style: all orders in it). */
  styles: readonly SagaStyle[];
  ratePerSecond: number;
  durationSeconds: number;
  failureShare: number;
  drainSeconds: number;
  watcher: SagaEndWatcher;
  /** Seconds between progress lines (0: none). */
  progressSeconds?: number;
  /** Label of the progress lines (default: the styles). */
  label?: string;
  /** Called as each saga is learnt to have ended (soak's per-minute figures). */
  onFinal?(order: TrackedOrder): void;
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
  // Every saga may take until the drain ends; arrivals run late only when the generator itself is starved.
  const deadlineMs = startedAtMs + (options.durationSeconds + options.drainSeconds) * 1000;
  let lateArrivals = 0;
  let sent = 0;
  let finished = 0;
  const progress = startProgress({
    label: options.label ?? options.styles.join('+'),
    intervalMs: (options.progressSeconds ?? 5) * 1000,
    snapshot: () => ({ sent, completed: finished, inFlight: sent - finished - rejected.length }),
    write: options.write ?? ((line) => console.log(line)),
  });

  try {
    for (let index = 0; index < total; index += 1) {
      const dueAt = startedAtMs + index * intervalMs;
      const wait = dueAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      else if (-wait > intervalMs) lateArrivals += 1;
      sent += 1;
      const style = options.styles[index % options.styles.length] as SagaStyle;
      inFlight.push(
        placeOrder(options.baseUrl, benchOrderBody(style, index, options.failureShare), style).then(
          async (order) => {
            orders.push(order);
            await options.watcher.waitFor(order, deadlineMs);
            if (order.finalStatus) {
              finished += 1;
              options.onFinal?.(order);
            }
          },
          (error: unknown) => void rejected.push(error instanceof Error ? error.message : String(error)),
        ),
      );
    }
    const arrivalsEndedAtMs = Date.now();
    await Promise.all(inFlight);
    return { orders, rejected, startedAtMs, arrivalsEndedAtMs, lateArrivals };
  } finally {
    await progress.stop();
  }
}
