import type { SagaStyle } from '../../src/domain';
import type { HostProcess, HostStats } from './host-process';
import { listingLatency } from './listing-probe';
import { runOpenLoop } from './open-loop';
import type { TrackedOrder } from './order-client';
import type { SagaEndWatcher } from './saga-end-watcher';
import { percentile, round } from './stats';

/** What one minute of a soak looked like. */
export interface SoakMinute {
  minute: number;
  /** Sagas learnt to have ended during the minute. */
  completed: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** The host's resident memory and live heap at the minute's end (null: the host does not say). */
  residentMiB: number | null;
  heapUsedMiB: number | null;
  /** `GET /api/orders?limit=20`, a few samples during the minute. */
  listingSamples: number;
  listingP50Ms: number | null;
  listingMaxMs: number | null;
  /** Broker messages waiting for a receiver at the minute's end (null: the host does not say). */
  backlog: number | null;
}

/** Memory counts as flat when the last minute's resident size is at most the first minute's plus this share. */
export const FLAT_MEMORY_SHARE = 0.1;
/** No minute's p99 may exceed the first minute's times this. */
export const P99_GROWTH_LIMIT = 2;

const MiB = 2 ** 20;

export function soakMinute(minute: number, sagaLatenciesMs: readonly number[], listingMs: readonly number[], stats: HostStats | undefined): SoakMinute {
  const sagas = [...sagaLatenciesMs].sort((a, b) => a - b);
  const listing = [...listingMs].sort((a, b) => a - b);
  const memory = stats?.process;
  const backlog = stats?.serviceBus.activeMessages;
  return {
    minute,
    completed: sagas.length,
    p50Ms: round(percentile(sagas, 50), 0),
    p99Ms: round(percentile(sagas, 99), 0),
    residentMiB: memory ? round(memory.residentBytes / MiB, 0) : null,
    heapUsedMiB: memory ? round(memory.heapUsedBytes / MiB, 0) : null,
    listingSamples: listing.length,
    listingP50Ms: round(percentile(listing, 50), 1),
    listingMaxMs: round(listing.at(-1) ?? null, 1),
    backlog: typeof backlog === 'number' ? backlog : null,
  };
}

const show = (value: number | null, unit: string): string => (value === null ? 'n/a' : `${value}${unit}`);

export function formatSoakMinute(m: SoakMinute): string {
  return (
    `  minute ${String(m.minute).padStart(3)}: ${String(m.completed).padStart(5)} completed, saga p50 ${show(m.p50Ms, ' ms')} p99 ${show(m.p99Ms, ' ms')}, ` +
    `resident ${show(m.residentMiB, ' MiB')} heap ${show(m.heapUsedMiB, ' MiB')}, listing p50 ${show(m.listingP50Ms, ' ms')} max ${show(m.listingMaxMs, ' ms')} ` +
    `(${m.listingSamples} samples), backlog ${show(m.backlog, ' messages')}`
  );
}

export interface Check {
  pass: boolean;
  detail: string;
}

export interface SoakVerdict {
  p99: Check;
  memory: Check;
}

/**
 * The soak target: no minute's p99 above twice the first minute's, and resident memory flat after the
 * first minute, "flat" meaning the last minute's resident size at most the first minute's plus 10 %.
 */
export function soakVerdict(minutes: readonly SoakMinute[]): SoakVerdict {
  const first = minutes[0];
  const last = minutes.at(-1);
  if (!first || !last || minutes.length < 2) {
    const detail = 'needs at least two minutes';
    return { p99: { pass: false, detail }, memory: { pass: false, detail } };
  }
  let p99: Check;
  const silent = minutes.find((m) => m.p99Ms === null);
  if (first.p99Ms === null || silent) {
    p99 = { pass: false, detail: `no saga ended in minute ${(silent ?? first).minute}` };
  } else {
    const limit = first.p99Ms * P99_GROWTH_LIMIT;
    const worst = minutes.reduce((a, b) => ((b.p99Ms ?? 0) > (a.p99Ms ?? 0) ? b : a));
    p99 = {
      pass: (worst.p99Ms ?? 0) <= limit,
      detail: `worst p99 ${worst.p99Ms} ms (minute ${worst.minute}) against ${P99_GROWTH_LIMIT} × the first minute's ${first.p99Ms} ms = ${limit} ms`,
    };
  }
  let memory: Check;
  if (first.residentMiB === null || last.residentMiB === null) {
    memory = { pass: false, detail: 'the host does not report its memory' };
  } else {
    const limit = round(first.residentMiB * (1 + FLAT_MEMORY_SHARE), 0) as number;
    memory = {
      pass: last.residentMiB <= limit,
      detail: `last minute ${last.residentMiB} MiB against the first minute's ${first.residentMiB} MiB + ${FLAT_MEMORY_SHARE * 100} % = ${limit} MiB (flat: at most that)`,
    };
  }
  return { p99, memory };
}

export interface SoakOptions {
  styles: readonly SagaStyle[];
  rate: number;
  durationSeconds: number;
  intervalSeconds: number;
  failureShare: number;
  progressSeconds: number;
  write?(line: string): void;
}

export interface SoakResult {
  /** Each saga in the minute it ended (server clock): what the verdict judges. */
  minutes: SoakMinute[];
  /** As printed during the run: each saga in the minute its end was learnt. */
  live: SoakMinute[];
  /** Sagas that ended after the last minute (the drain), and those that never did. */
  drained: number;
  unfinished: number;
  rejected: number;
  verdict: SoakVerdict;
}

/** Listing samples per reporting interval. */
const LISTING_SAMPLES = 4;

/**
 * The minutes again, each saga counted in the minute it ended by the server's clock (its final updatedAt)
 * rather than the one in which the benchmark learnt it; memory, listing and backlog stay as sampled.
 */
export function byEndMinute(live: readonly SoakMinute[], ended: readonly { finishedAtMs: number; latencyMs: number }[], startedAtMs: number, intervalMs: number): SoakMinute[] {
  const buckets = live.map(() => [] as number[]);
  for (const saga of ended) {
    const index = Math.floor((saga.finishedAtMs - startedAtMs) / intervalMs);
    if (index >= 0 && index < buckets.length) buckets[index]?.push(saga.latencyMs);
  }
  return live.map((minute, i) => {
    const sorted = [...(buckets[i] ?? [])].sort((a, b) => a - b);
    return { ...minute, completed: sorted.length, p50Ms: round(percentile(sorted, 50), 0), p99Ms: round(percentile(sorted, 99), 0) };
  });
}

/**
 * A steady open loop for minutes, the styles taking turns, with a line of figures at each interval's end.
 * Live, each saga counts in the minute in which its end was learnt; its latency is the server's (acceptance
 * to the final status's updatedAt), so a late notification does not inflate it. The verdict counts each saga
 * in the minute it ended, which differs from the live lines only when saga ends are learnt late (polling a
 * busy host).
 */
export async function runSoak(host: HostProcess, watcher: SagaEndWatcher, options: SoakOptions): Promise<SoakResult> {
  const write = options.write ?? ((line: string) => console.log(line));
  const intervalMs = options.intervalSeconds * 1000;
  const count = Math.max(1, Math.round(options.durationSeconds / options.intervalSeconds));
  write(`\nsoak: ${options.rate} orders/s (${options.styles.join(' and ')} taking turns) for ${count} × ${options.intervalSeconds} s`);
  const minutes: SoakMinute[] = [];
  let sagas: number[] = [];
  let listing: number[] = [];
  let drained = 0;
  const ended: { finishedAtMs: number; latencyMs: number }[] = [];
  const startedAt = Date.now();
  const timers: NodeJS.Timeout[] = [];
  // The interval's samples are spread over it, away from its edges.
  for (let m = 0; m < count; m += 1) {
    for (let s = 0; s < LISTING_SAMPLES; s += 1) {
      const at = startedAt + m * intervalMs + ((s + 0.5) * intervalMs) / LISTING_SAMPLES;
      timers.push(setTimeout(() => void listingLatency(host.url, 'limit=20').then((ms) => listing.push(ms), () => undefined), at - Date.now()));
    }
  }
  const closing: Promise<void>[] = [];
  for (let m = 1; m <= count; m += 1) {
    timers.push(
      setTimeout(() => {
        const [ended, listed] = [sagas, listing];
        sagas = [];
        listing = [];
        closing.push(
          host.stats().then(
            (stats) => void minutes.push(soakMinute(m, ended, listed, host.hasStats ? stats : undefined)),
            () => void minutes.push(soakMinute(m, ended, listed, undefined)),
          ).then(() => write(formatSoakMinute(minutes.at(-1) as SoakMinute))),
        );
      }, startedAt + m * intervalMs - Date.now()),
    );
  }
  const onFinal = (order: TrackedOrder): void => {
    const latency = (order.finishedAtMs as number) - order.acceptedAtMs;
    ended.push({ finishedAtMs: order.finishedAtMs as number, latencyMs: latency });
    if (Date.now() - startedAt < count * intervalMs) sagas.push(latency);
    else drained += 1;
  };
  try {
    const run = await runOpenLoop({
      baseUrl: host.url,
      styles: options.styles,
      ratePerSecond: options.rate,
      durationSeconds: count * options.intervalSeconds,
      failureShare: options.failureShare,
      drainSeconds: 120,
      watcher,
      progressSeconds: options.progressSeconds,
      label: 'soak',
      onFinal,
      write,
    });
    // The last minute's line may still be on its way when a short drain ends.
    const lastTick = startedAt + count * intervalMs - Date.now();
    if (lastTick > 0) await new Promise((resolve) => setTimeout(resolve, lastTick + 10));
    await Promise.all(closing);
    minutes.sort((a, b) => a.minute - b.minute);
    const unfinished = run.orders.filter((order) => !order.finalStatus).length;
    const settled = byEndMinute(minutes, ended, startedAt, intervalMs);
    write(`  after the last minute: ${drained} more sagas were learnt to have ended, ${unfinished} never did, ${run.rejected.length} orders rejected`);
    if (settled.some((minute, i) => minute.completed !== minutes[i]?.completed)) {
      write('  by the minute each saga ended (server clock), which the verdict uses:');
      for (const minute of settled) write(formatSoakMinute(minute));
    }
    const verdict = soakVerdict(settled);
    write(`  p99 stable:    ${verdict.p99.pass ? 'PASS' : 'FAIL'} (${verdict.p99.detail})`);
    write(`  memory flat:   ${verdict.memory.pass ? 'PASS' : 'FAIL'} (${verdict.memory.detail})`);
    return { minutes: settled, live: minutes, drained, unfinished, rejected: run.rejected.length, verdict };
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}
