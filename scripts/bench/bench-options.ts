import { SAGA_STYLES, type SagaStyle } from '../../src/domain';
import { UsageError, oneOf, parseFlags, positiveInteger } from '../lib/cli';

export const BENCH_MODES = ['open', 'closed', 'soak', 'data-size'] as const;
export type BenchMode = (typeof BENCH_MODES)[number];
export const STATE_CHOICES = ['disk', 'memory', 'both'] as const;
export type StateKind = 'disk' | 'memory';

export interface BenchOptions {
  mode: BenchMode;
  /** Orders per second: per style (open, data-size), in all (soak). */
  rate: number;
  /** Seconds of load per style or step (soak: in all). */
  durationSeconds: number;
  styles: SagaStyle[];
  failureShare: number;
  concurrency: number[];
  /** Data-size mode: stored orders to measure at, ascending. */
  sizes: number[];
  /** Soak mode: seconds per report line (a minute unless a test wants it shorter). */
  soakIntervalSeconds: number;
  /** The host's state, one run per entry. */
  states: StateKind[];
  dataDir?: string;
  url?: string;
  progressSeconds: number;
  out?: string;
}

export const BENCH_USAGE = `Usage: npm run bench -- [options]
  --mode M                  open: a fixed arrival rate (default); closed: find the sustainable maximum;
                            soak: a steady rate for minutes, a line of figures per minute and a verdict;
                            data-size: saga and listing latency and start-up time as the store grows
  --rate N                  orders per second: per style (open, data-size; default 10), in all with the
                            styles taking turns (soak; default 30)
  --duration D              load per style or step, in seconds (20, 20s) or minutes (10m) (default 20 s;
                            soak 10m; data-size 10 s per size and style)
  --styles a,b              saga styles to run, in order (default orchestration,choreography)
  --failures N              percent of orders that fail naturally (declined card, country AQ) (default 20)
  --concurrency a,b,...     closed loop: client counts to step through (default 1,2,4,8,16,32)
  --sizes a,b,...           data-size: stored orders to measure at (default 1000,10000,100000)
  --soak-interval N         soak: seconds per report line (default 60)
  --state disk|memory|both  where the started host keeps its state: disk (default: a fresh temporary folder,
                            removed at the end, unless --data-dir), memory (--in-memory), or both, one run each
  --data-dir DIR            the host's data folder for --state disk (kept at the end)
  --url URL                 drive a host that is already running (e.g. func start) instead of starting one
  --progress N              seconds between progress lines (default 5; 0 for none)
  --out FILE                where to write the JSON result (default bench-results/bench-<time>.json)

Saga ends are learnt from the orders container's change feed (one reader for all clients); when the host's
database does not serve it, by polling GET /api/orders/{id}, and the output says so. The end of the output
lists the targets of issue #10 with PASS or FAIL for what this run measured, and how to measure the rest.`;

/** Seconds from `20`, `20s` or `10m`. */
export function durationSeconds(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const match = /^(\d+)(s|m)?$/.exec(value.trim());
  const amount = match ? Number(match[1]) : Number.NaN;
  const seconds = match?.[2] === 'm' ? amount * 60 : amount;
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > 24 * 3600) {
    throw new UsageError(`--duration must be seconds (20 or 20s) or minutes (10m), from 1 s to 24 h (got "${value}")`);
  }
  return seconds;
}

function list(flag: string, value: string, max: number): number[] {
  return value.split(',').map((n) => positiveInteger(flag, n.trim(), 1, max));
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  const flags = parseFlags(argv, {
    mode: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    styles: { type: 'string' },
    failures: { type: 'string' },
    concurrency: { type: 'string' },
    sizes: { type: 'string' },
    'soak-interval': { type: 'string' },
    state: { type: 'string' },
    'data-dir': { type: 'string' },
    out: { type: 'string' },
    url: { type: 'string' },
    progress: { type: 'string' },
  });
  if (flags.help) return 'help';
  const mode = oneOf('mode', flags.mode, BENCH_MODES, 'open');
  const state = oneOf('state', flags.state, STATE_CHOICES, 'disk');
  if (flags.url !== undefined && (flags.state !== undefined || flags['data-dir'] !== undefined)) {
    throw new UsageError('--state and --data-dir choose how the benchmark starts its host; with --url the host is already running');
  }
  if (flags['data-dir'] !== undefined && state === 'memory') throw new UsageError('--data-dir is for --state disk (or both)');
  if (mode === 'data-size' && flags.url !== undefined) throw new UsageError('--mode data-size restarts the host, so it cannot drive one started elsewhere (--url)');
  const styles = (flags.styles ?? SAGA_STYLES.join(',')).split(',').map((style) => oneOf('styles', style.trim(), SAGA_STYLES, 'orchestration'));
  const sizes = list('sizes', flags.sizes ?? '1000,10000,100000', 10_000_000);
  return {
    mode,
    rate: positiveInteger('rate', flags.rate, mode === 'soak' ? 30 : 10, 1000),
    durationSeconds: durationSeconds(flags.duration, mode === 'soak' ? 600 : mode === 'data-size' ? 10 : 20),
    styles,
    failureShare: (flags.failures === undefined ? 20 : positiveInteger('failures', flags.failures, 20, 100)) / 100,
    concurrency: list('concurrency', flags.concurrency ?? '1,2,4,8,16,32', 512),
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    soakIntervalSeconds: positiveInteger('soak-interval', flags['soak-interval'], 60, 3600),
    states: state === 'both' ? ['disk', 'memory'] : [state],
    ...(flags['data-dir'] !== undefined ? { dataDir: flags['data-dir'] } : {}),
    ...(flags.url !== undefined ? { url: flags.url } : {}),
    progressSeconds: flags.progress === '0' ? 0 : positiveInteger('progress', flags.progress, 5, 3600),
    ...(flags.out !== undefined ? { out: flags.out } : {}),
  };
}
