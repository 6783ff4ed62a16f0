import { randomUUID } from 'node:crypto';
import { oneOf, parseFlags, positiveInteger, runScript, UsageError } from './lib/cli';
import { FAILURE_CHOICES, planDemoOrders, STYLE_CHOICES, type DemoOrderRequest } from './lib/demo-orders';
import { apiPlacer, directPlacer, type OrderPlacer } from './lib/order-placers';
import { loadScriptSettings } from './lib/settings';

const USAGE = `Usage: npm run seed:messages -- [options]

Places demo orders; each one's OrderCreated starts a saga.
  --count N          how many orders (1-1000, default 10)
  --style S          orchestration | choreography | mixed (default mixed: alternating)
  --failures F       none | mixed | inventory | payment | fulfillment | refund (default none;
                     mixed: half succeed, the rest cycle through every simulated failure)
  --customer ID      customer id for the orders (default seed-customer)
  --api URL          post through the HTTP API of a running app (e.g. http://localhost:7071) instead of
                     writing to Cosmos DB and Service Bus from here with the app's settings
  -h, --help         this text`;

export interface SeedOutput {
  log(line: string): void;
  /**
   * Rewrites the current line; given only for a terminal. With it, a large run shows one progress bar
   * instead of a line per order (failures are still printed); without it (a pipe, a log file, CI) every
   * order gets its plain line.
   */
  update?(text: string): void;
}

/** From this many orders on, a terminal gets a progress bar instead of a line per order. */
export const PROGRESS_BAR_FROM = 20;

export function progressBar(done: number, total: number, placed: number, failed: number, width = 30): string {
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  const count = `${String(done).padStart(String(total).length)}/${total}`;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count} ${String(percent).padStart(3)}%  placed ${placed}, failed ${failed}`;
}

/** The output for this process: a progress bar on a terminal, plain lines otherwise. */
export function consoleOutput(stream: NodeJS.WriteStream = process.stdout): SeedOutput {
  if (!stream.isTTY) return { log: (line) => stream.write(`${line}\n`) };
  // Clear the bar before a line, so lines and the bar never mix.
  return { log: (line) => stream.write(`\r\x1b[2K${line}\n`), update: (text) => stream.write(`\r\x1b[2K${text}`) };
}

/** Places the orders and reports each; resolves to the number not placed. */
export async function seedMessages(argv: readonly string[], out: SeedOutput = consoleOutput()): Promise<number> {
  const flags = parseFlags(argv, {
    count: { type: 'string' },
    style: { type: 'string' },
    failures: { type: 'string' },
    customer: { type: 'string' },
    api: { type: 'string' },
  });
  if (flags.help) {
    out.log(USAGE);
    return 0;
  }
  const options = {
    count: positiveInteger('count', flags.count, 10, 1000),
    style: oneOf('style', flags.style, STYLE_CHOICES, 'mixed'),
    failures: oneOf('failures', flags.failures, FAILURE_CHOICES, 'none'),
    customer: flags.customer ?? 'seed-customer',
  };
  if (options.customer.trim() === '') throw new UsageError('--customer must not be empty');
  if (flags.api !== undefined && !/^https?:\/\/[^/]/.test(flags.api)) throw new UsageError(`--api must be an http(s) URL (got "${flags.api}")`);

  const placer = flags.api !== undefined ? apiPlacer(flags.api) : await directPlacer(loadScriptSettings().config);
  try {
    out.log(`Placing ${options.count} order(s) (style ${options.style}, failures ${options.failures}) via ${placer.target}`);
    return await placeAll(placer, planDemoOrders(options), out);
  } finally {
    await placer.close();
  }
}

async function placeAll(placer: OrderPlacer, requests: readonly DemoOrderRequest[], out: SeedOutput): Promise<number> {
  // A fresh prefix per run; within the run, a retried request would replay instead of duplicating.
  const run = randomUUID().slice(0, 8);
  const width = String(requests.length).length;
  const placed: { style: string; failure: string }[] = [];
  let failed = 0;
  let skipped = 0;
  const bar = out.update && requests.length >= PROGRESS_BAR_FROM ? out.update.bind(out) : undefined;
  bar?.(progressBar(0, requests.length, 0, 0));
  for (const [index, request] of requests.entries()) {
    const label = `${String(index + 1).padStart(width)}/${requests.length}`;
    const kind = `${request.sagaStyle}${request.simulateFailure ? `, simulate ${request.simulateFailure}` : ''}`;
    const outcome = await placer.place(request, `seed-${run}-${index + 1}`);
    if (outcome.ok) {
      placed.push({ style: request.sagaStyle, failure: request.simulateFailure ?? 'none' });
      if (bar) bar(progressBar(index + 1, requests.length, placed.length, failed));
      else out.log(`${label}  ${outcome.orderId}  ${kind}  ${outcome.note}`);
      continue;
    }
    failed += 1;
    out.log(`${label}  FAILED  ${kind}  ${outcome.reason}`);
    bar?.(progressBar(index + 1, requests.length, placed.length, failed));
    if (outcome.stop) {
      skipped = requests.length - index - 1;
      if (skipped > 0) out.log(`Stopped: the remaining ${skipped} order(s) would fail the same way.`);
      break;
    }
  }
  if (bar) out.log(progressBar(placed.length + failed, requests.length, placed.length, failed));
  const mix = placed.length > 0 ? ` (${tally(placed.map((p) => p.style))}; simulated failures: ${tally(placed.map((p) => p.failure))})` : '';
  out.log(`Done: ${placed.length} placed${mix}, ${failed} failed${skipped > 0 ? `, ${skipped} not attempted` : ''}.`);
  return failed + skipped;
}

function tally(values: readonly string[]): string {
  if (values.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${count} ${value}`).join(', ');
}

if (require.main === module) {
  runScript(async () => {
    const failed = await seedMessages(process.argv.slice(2));
    if (failed > 0) throw new Error(`${failed} order(s) could not be placed; see above.`);
  }, USAGE);
}
