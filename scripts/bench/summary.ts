import { countBy, percentile, round } from './stats';
import type { TrackedOrder } from './order-client';
import type { HostStats } from './host-process';

export interface StyleSummary {
  orders: number;
  completedSagas: number;
  unfinished: number;
  sagasPerSecond: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  outcomes: Record<string, number>;
  cosmosRequestsPerSaga: number | null;
  messagesPerSaga: number | null;
  durablePerSaga: Record<string, number | null>;
}

export function latencies(orders: readonly TrackedOrder[]): number[] {
  return orders
    .filter((order) => order.finishedAtMs !== undefined)
    .map((order) => (order.finishedAtMs as number) - order.acceptedAtMs)
    .sort((a, b) => a - b);
}

export function summarise(orders: readonly TrackedOrder[], startedAtMs: number, before: HostStats, after: HostStats): StyleSummary {
  const finished = orders.filter((order) => order.finishedAtMs !== undefined);
  const sorted = latencies(orders);
  const lastFinish = Math.max(...finished.map((order) => order.finishedAtMs as number));
  const elapsedSeconds = (lastFinish - startedAtMs) / 1000;
  const perSaga = (delta: number): number | null => (finished.length > 0 ? round(delta / finished.length, 2) : null);
  const durablePerSaga: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(after.durable)) {
    if (typeof value === 'number' && typeof before.durable[key] === 'number') durablePerSaga[key] = perSaga(value - (before.durable[key] as number));
  }
  return {
    orders: orders.length,
    completedSagas: finished.length,
    unfinished: orders.length - finished.length,
    sagasPerSecond: finished.length > 0 && elapsedSeconds > 0 ? round(finished.length / elapsedSeconds, 2) : null,
    latencyMs: {
      p50: round(percentile(sorted, 50), 0),
      p95: round(percentile(sorted, 95), 0),
      p99: round(percentile(sorted, 99), 0),
      max: round(sorted.at(-1) ?? null, 0),
    },
    outcomes: countBy(orders, (order) => order.finalStatus ?? 'unfinished'),
    cosmosRequestsPerSaga: perSaga(after.cosmos.requests - before.cosmos.requests),
    messagesPerSaga: perSaga(after.serviceBus.sent - before.serviceBus.sent),
    durablePerSaga,
  };
}
