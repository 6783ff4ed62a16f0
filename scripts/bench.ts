import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SagaStyle } from '../src/domain';
import { BENCH_USAGE, parseBenchOptions, type BenchOptions, type StateKind } from './bench/bench-options';
import { runClosedLoop } from './bench/closed-loop';
import { dataSizeVerdict, formatDataSizeTable, runDataSize } from './bench/data-size';
import { watcherFor } from './bench/host-database';
import { attachToHost, describeHost, startHostProcess, type HostProcess, type HostState, type HostStats } from './bench/host-process';
import { runOpenLoop } from './bench/open-loop';
import { benchReads } from './bench/order-client';
import { restock, restockTarget } from './bench/restock';
import type { SagaEndWatcher } from './bench/saga-end-watcher';
import { runSoak } from './bench/soak';
import { round, percentile } from './bench/stats';
import { latencies, summarise, type StyleSummary } from './bench/summary';
import { formatTargets, type MeasuredRun } from './bench/targets';
import { runScript } from './lib/cli';

const repoRoot = path.resolve(__dirname, '..', '..');

function adjust(stats: HostStats, readsBefore: number): HostStats {
  // The benchmark's own reads (status checks, change-feed reads) are load, not saga work.
  return { ...stats, cosmos: { ...stats.cosmos, requests: stats.cosmos.requests - (benchReads.count - readsBefore) } };
}

async function measure<T>(host: HostProcess, run: () => Promise<T>): Promise<{ result: T; before: HostStats; after: HostStats }> {
  const reads = benchReads.count;
  const before = await host.stats();
  const result = await run();
  const after = adjust(await host.stats(), reads);
  return { result, before, after };
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options === 'help') return console.log(BENCH_USAGE);
  const result: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version },
    settings: {
      mode: options.mode,
      rate: options.rate,
      duration: options.durationSeconds,
      failurePercent: options.failureShare * 100,
      styles: options.styles,
      concurrency: options.mode === 'closed' ? options.concurrency : undefined,
      sizes: options.mode === 'data-size' ? options.sizes : undefined,
      soakIntervalSeconds: options.mode === 'soak' ? options.soakIntervalSeconds : undefined,
    },
    host: options.url ?? 'embedded (npm start)',
  };
  const runs: Record<string, unknown>[] = [];
  result.runs = runs;
  const targets: string[] = [];
  try {
    if (options.url) {
      runs.push(await runOnce(options, null, targets));
    } else {
      for (const state of options.states) runs.push(await runOnce(options, state, targets));
    }
  } finally {
    const out = options.out ?? path.join(repoRoot, 'bench-results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    for (const line of targets) console.log(line);
    console.log(`\nResult written to ${path.relative(process.cwd(), out)}`);
  }
}

/** One run of the chosen mode on one host state; its targets are added to `targets`, printed at the end. */
async function runOnce(options: BenchOptions, stateKind: StateKind | null, targets: string[]): Promise<Record<string, unknown>> {
  const temporary = stateKind === 'disk' && options.dataDir === undefined ? mkdtempSync(path.join(os.tmpdir(), 'petstore-bench-')) : undefined;
  const state: HostState | null = stateKind === null ? null : stateKind === 'memory' ? { kind: 'memory' } : { kind: 'disk', dir: temporary ?? path.resolve(options.dataDir as string) };
  const stateLabel = state === null ? 'as the host at --url keeps it' : state.kind === 'memory' ? 'in memory (--in-memory)' : `on disk (--data-dir ${temporary ? 'a fresh temporary folder' : state.dir})`;
  console.log(`\n=== ${options.mode} run, state ${stateLabel} ===`);
  const run: Record<string, unknown> = { state: state?.kind ?? 'unknown', stateLabel };
  const measured: MeasuredRun = { state: state?.kind ?? 'as the host at --url keeps it', rate: options.rate, durationSeconds: options.durationSeconds, startupMs: null };
  const start = async (): Promise<HostProcess> => {
    const host = await startHostProcess(repoRoot, state ? { state } : {});
    await restockHost(host);
    return host;
  };
  try {
    if (options.mode === 'data-size') {
      let firstStartupMs: number | null = null;
      const rows = await runDataSize(
        async () => {
          const host = await start();
          firstStartupMs ??= host.startupMs;
          return host;
        },
        { sizes: options.sizes, styles: options.styles, rate: options.rate, durationSeconds: options.durationSeconds, failureShare: options.failureShare, restart: state?.kind === 'disk', progressSeconds: options.progressSeconds },
      );
      console.log('\nData size (latencies of the first page of GET /api/orders; start-up of a host restarted on the data):');
      for (const line of formatDataSizeTable(rows, options.styles)) console.log(line);
      measured.startupMs = firstStartupMs;
      measured.dataSize = dataSizeVerdict(rows);
      Object.assign(run, { hostStartupMs: round(firstStartupMs, 0), dataSize: rows, verdict: measured.dataSize });
    } else {
      const host = options.url ? await attachToHost(options.url) : await start();
      let watcher: SagaEndWatcher | undefined;
      try {
        if (!host.hasStats) console.log('No stats endpoint: stock is not topped up, and per-saga costs are not reported.');
        console.log(`${describeHost(host)}; mode ${options.mode}`);
        measured.startupMs = options.url ? null : host.startupMs;
        run.hostStartupMs = options.url ? null : round(host.startupMs, 0);
        watcher = await watcherFor(host);
        run.sagaEnds = watcher.how;
        if (options.mode === 'soak') {
          const soak = await runSoak(host, watcher, {
            styles: options.styles,
            rate: options.rate,
            durationSeconds: options.durationSeconds,
            intervalSeconds: options.soakIntervalSeconds,
            failureShare: options.failureShare,
            progressSeconds: 0,
          });
          measured.soak = { verdict: soak.verdict, minutes: soak.minutes.length, intervalSeconds: options.soakIntervalSeconds };
          run.soak = soak;
        } else {
          const styles: Record<string, unknown> = {};
          for (const style of options.styles) {
            if (options.mode === 'open') {
              const summary = await openLoop(host, watcher, style, options);
              (measured.openP99Ms ??= {})[style] = summary.latencyMs.p99;
              styles[style] = summary;
            } else {
              const closed = await closedLoop(host, watcher, style, options);
              (measured.closedMax ??= {})[style] = closed.maxSagasPerSecond;
              styles[style] = closed;
            }
          }
          run.styles = styles;
        }
        run.sagaEnds = watcher.how;
      } finally {
        await watcher?.close();
        await host.stop();
      }
    }
  } finally {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
  targets.push(...formatTargets(measured));
  return run;
}

async function restockHost(host: HostProcess): Promise<void> {
  const stats = await host.stats();
  if (!host.hasStats || !stats.cosmos.endpoint) return;
  const target = restockTarget(stats.cosmos);
  await restock(target.cosmos, target.database, 10_000_000);
}

async function openLoop(host: HostProcess, watcher: SagaEndWatcher, style: SagaStyle, options: BenchOptions): Promise<StyleSummary & { lateArrivals: number; rejected: number }> {
  console.log(`\n${style}: ${options.rate} orders/s for ${options.durationSeconds} s (open loop)`);
  const { result: run, before, after } = await measure(host, () =>
    runOpenLoop({
      baseUrl: host.url,
      styles: [style],
      ratePerSecond: options.rate,
      durationSeconds: options.durationSeconds,
      failureShare: options.failureShare,
      drainSeconds: 120,
      watcher,
      progressSeconds: options.progressSeconds,
    }),
  );
  const summary = { ...summarise(run.orders, run.startedAtMs, before, after), lateArrivals: run.lateArrivals, rejected: run.rejected.length };
  printSummary(summary);
  return summary;
}

async function closedLoop(host: HostProcess, watcher: SagaEndWatcher, style: SagaStyle, options: BenchOptions) {
  console.log(`\n${style}: closed loop, ${options.durationSeconds} s per step`);
  const rows = [];
  for (const clients of options.concurrency) {
    const startedAt = Date.now();
    const orders = await runClosedLoop(host.url, style, clients, options.durationSeconds, options.failureShare, watcher, options.progressSeconds);
    const sorted = latencies(orders);
    const row = {
      concurrency: clients,
      completed: orders.length,
      sagasPerSecond: round(orders.length / ((Date.now() - startedAt) / 1000), 2),
      p50Ms: round(percentile(sorted, 50), 0),
      p99Ms: round(percentile(sorted, 99), 0),
    };
    console.log(`  ${String(clients).padStart(3)} clients: ${row.sagasPerSecond} sagas/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms`);
    rows.push(row);
  }
  const best = rows.reduce((a, b) => ((b.sagasPerSecond ?? 0) > (a.sagasPerSecond ?? 0) ? b : a));
  console.log(`  maximum sustainable: ${best.sagasPerSecond} sagas/s at ${best.concurrency} clients`);
  return { steps: rows, maxSagasPerSecond: best.sagasPerSecond, atConcurrency: best.concurrency };
}

function printSummary(s: StyleSummary & { lateArrivals: number; rejected: number }): void {
  console.log(`  completed sagas/s:   ${s.sagasPerSecond} (${s.completedSagas} of ${s.orders} final, ${s.unfinished} unfinished, ${s.rejected} rejected)`);
  console.log(`  saga latency (ms):   p50 ${s.latencyMs.p50}  p95 ${s.latencyMs.p95}  p99 ${s.latencyMs.p99}  max ${s.latencyMs.max}`);
  console.log(`  outcomes:            ${Object.entries(s.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const known = (value: number | null): string => (value === null || !Number.isFinite(value) ? 'unknown' : String(value));
  console.log(`  per saga:            ${known(s.cosmosRequestsPerSaga)} Cosmos requests, ${known(s.messagesPerSaga)} Service Bus messages`);
  const durable = Object.entries(s.durablePerSaga).filter(([, v]) => v !== null && v !== 0 && Number.isFinite(v));
  if (durable.length > 0) console.log(`  durable per saga:    ${durable.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (s.lateArrivals > 0) console.log(`  warning: the load generator sent ${s.lateArrivals} arrivals late`);
}

runScript(main, BENCH_USAGE);
