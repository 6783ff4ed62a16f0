import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SAGA_STYLES, type SagaStyle } from '../src/domain';
import { runClosedLoop } from './bench/closed-loop';
import { attachToHost, describeHost, startHostProcess, type HostProcess, type HostStats } from './bench/host-process';
import { runOpenLoop } from './bench/open-loop';
import { statusChecks } from './bench/order-client';
import { restock, restockTarget } from './bench/restock';
import { round, percentile } from './bench/stats';
import { latencies, summarise, type StyleSummary } from './bench/summary';
import { oneOf, parseFlags, positiveInteger, runScript } from './lib/cli';

const USAGE = `Usage: npm run bench -- [options]
  --mode open|closed        open: fixed arrival rate (default); closed: find the sustainable maximum
  --rate N                  open loop: orders per second per style (default 10)
  --duration N              seconds of load per style or step (default 20)
  --styles a,b              saga styles to run, in order (default orchestration,choreography)
  --failures N              percent of orders that fail naturally (declined card, country AQ) (default 20)
  --concurrency a,b,...     closed loop: client counts to step through (default 1,2,4,8,16,32)
  --url URL                 drive a host that is already running (e.g. func start) instead of starting one
  --progress N              seconds between progress lines (default 5; 0 for none)
  --out FILE                where to write the JSON result (default bench-results/bench-<time>.json)`;

const repoRoot = path.resolve(__dirname, '..', '..');

function styles(value: string | undefined): SagaStyle[] {
  const list = (value ?? SAGA_STYLES.join(',')).split(',').map((style) => style.trim());
  return list.map((style) => oneOf('styles', style, SAGA_STYLES, 'orchestration'));
}

function adjust(stats: HostStats, checksBefore: number): HostStats {
  // The benchmark's own status checks are point reads: they are load, not saga work.
  return { ...stats, cosmos: { ...stats.cosmos, requests: stats.cosmos.requests - (statusChecks.count - checksBefore) } };
}

async function measure<T>(host: HostProcess, run: () => Promise<T>): Promise<{ result: T; before: HostStats; after: HostStats }> {
  const checks = statusChecks.count;
  const before = await host.stats();
  const result = await run();
  const after = adjust(await host.stats(), checks);
  return { result, before, after };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), {
    mode: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    styles: { type: 'string' },
    failures: { type: 'string' },
    concurrency: { type: 'string' },
    out: { type: 'string' },
    url: { type: 'string' },
    progress: { type: 'string' },
  });
  if (flags.help) return console.log(USAGE);
  const mode = oneOf('mode', flags.mode, ['open', 'closed'] as const, 'open');
  const rate = positiveInteger('rate', flags.rate, 10, 1000);
  const duration = positiveInteger('duration', flags.duration, 20, 3600);
  const failureShare = (flags.failures === undefined ? 20 : positiveInteger('failures', flags.failures, 20, 100)) / 100;
  const concurrency = (flags.concurrency ?? '1,2,4,8,16,32').split(',').map((n) => positiveInteger('concurrency', n, 1, 512));
  const runStyles = styles(flags.styles);
  const progressSeconds = flags.progress === '0' ? 0 : positiveInteger('progress', flags.progress, 5, 3600);

  const host = flags.url ? await attachToHost(flags.url) : await startHostProcess(repoRoot);
  const result: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version },
    settings: { mode, rate, duration, failurePercent: failureShare * 100, styles: runStyles, concurrency: mode === 'closed' ? concurrency : undefined },
    host: flags.url ?? 'embedded (npm start)',
    hostStartupMs: flags.url ? null : round(host.startupMs, 0),
  };
  try {
    const stats = await host.stats();
    if (stats.cosmos.endpoint) {
      const target = restockTarget(stats.cosmos);
      await restock(target.cosmos, target.database, 10_000_000);
    }
    else console.log('No stats endpoint: stock is not topped up, and per-saga costs are not reported.');
    console.log(`${describeHost(host)}; mode ${mode}`);
    const styleResults: Record<string, unknown> = {};
    for (const style of runStyles) {
      styleResults[style] =
        mode === 'open' ? await openLoop(host, style, rate, duration, failureShare, progressSeconds) : await closedLoop(host, style, concurrency, duration, failureShare, progressSeconds);
    }
    result.styles = styleResults;
  } finally {
    await host.stop();
  }
  const out = flags.out ?? path.join(repoRoot, 'bench-results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nResult written to ${path.relative(process.cwd(), out)}`);
}

async function openLoop(
  host: HostProcess,
  style: SagaStyle,
  rate: number,
  duration: number,
  failureShare: number,
  progressSeconds: number,
): Promise<StyleSummary & { lateArrivals: number; rejected: number }> {
  console.log(`\n${style}: ${rate} orders/s for ${duration} s (open loop)`);
  const { result: run, before, after } = await measure(host, () =>
    runOpenLoop({ baseUrl: host.url, style, ratePerSecond: rate, durationSeconds: duration, failureShare, drainSeconds: 120, progressSeconds }),
  );
  const summary = { ...summarise(run.orders, run.startedAtMs, before, after), lateArrivals: run.lateArrivals, rejected: run.rejected.length };
  printSummary(summary);
  return summary;
}

async function closedLoop(host: HostProcess, style: SagaStyle, steps: number[], duration: number, failureShare: number, progressSeconds: number) {
  console.log(`\n${style}: closed loop, ${duration} s per step`);
  const rows = [];
  for (const clients of steps) {
    const startedAt = Date.now();
    const orders = await runClosedLoop(host.url, style, clients, duration, failureShare, progressSeconds);
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

runScript(main, USAGE);
