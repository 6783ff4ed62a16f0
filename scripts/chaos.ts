/**
 * `npm run chaos`: drives a seeded mixed load through the HTTP API of an embedded host that injects faults,
 * then checks that money and stock stayed right for every order. Exits 1 on any violation.
 */
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { SAGA_STYLES } from '../src/domain';
import { faultPlanFor } from './chaos/fault-plan';
import { formatChaosReport } from './chaos/report';
import { runChaos } from './chaos/run';
import { parseFlags, positiveInteger, runScript, UsageError } from './lib/cli';

const USAGE = `Usage: npm run chaos -- [--seed N] [--orders 60] [--styles orchestration,choreography]
                          [--faults standard|none|'{"lockExpiry":0.2}'] [--duplicates 0.15]
                          [--concurrency 8] [--settle 180] [--crashes 0] [--verbose]

Starts the embedded host with a seeded fault plan (at-least-once activities, lock expiry, failed and
half-applied sends, Cosmos DB throttling, outages and writes that fail after applying), places a mixed
load of orders through the API (both saga styles, every failure kind, a hot product, duplicate requests),
waits for every saga to end and checks the invariants. The same --seed replays the same run.
--crashes N kills the host with SIGKILL N times while orders are placed and starts it again on its data
folder: every accepted order must still end right.`;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), {
    seed: { type: 'string' },
    orders: { type: 'string' },
    styles: { type: 'string' },
    faults: { type: 'string' },
    duplicates: { type: 'string' },
    concurrency: { type: 'string' },
    settle: { type: 'string' },
    crashes: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const seed = flags.seed === undefined ? randomInt(1, 2 ** 31) : positiveInteger('seed', flags.seed, 1, 2 ** 31);
  const styles = (flags.styles ?? SAGA_STYLES.join(',')).split(',').map((style) => style.trim());
  for (const style of styles) {
    if (!(SAGA_STYLES as readonly string[]).includes(style)) throw new UsageError(`--styles takes ${SAGA_STYLES.join(', ')} (got "${style}")`);
  }
  const duplicateShare = flags.duplicates === undefined ? 0.15 : Number(flags.duplicates);
  if (!(duplicateShare >= 0 && duplicateShare <= 1)) throw new UsageError('--duplicates must be a share from 0 to 1');
  let faults;
  try {
    faults = faultPlanFor(flags.faults ?? 'standard', seed);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const report = await runChaos({
    repoRoot: path.resolve(__dirname, '../..'),
    seed,
    orders: positiveInteger('orders', flags.orders, 60, 5_000),
    styles: styles as (typeof SAGA_STYLES)[number][],
    faults,
    duplicateShare,
    concurrency: positiveInteger('concurrency', flags.concurrency, 8, 64),
    settleSeconds: positiveInteger('settle', flags.settle, 180, 3_600),
    crashes: flags.crashes === undefined || flags.crashes === '0' ? 0 : positiveInteger('crashes', flags.crashes, 0, 20),
    log: (line) => console.log(line),
  });
  const replay = ['npm run chaos --', ...process.argv.slice(2).filter((arg, i, all) => arg !== '--seed' && all[i - 1] !== '--seed'), '--seed', String(seed)].join(' ');
  console.log(formatChaosReport(report, replay));
  if (report.violations.length > 0) {
    if (flags.verbose) console.log(`\nThe host's last output:\n${report.hostOutput}`);
    process.exitCode = 1;
  }
}

runScript(main, USAGE);
