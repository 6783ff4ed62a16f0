import { parseFlags, positiveInteger, runScript } from './lib/cli';
import { probeTcp } from './lib/net';

const USAGE = `Usage: node dist/scripts/wait-for-emulators.js [--timeout SECONDS]

Waits until the containers of docker-compose.yml answer on this machine (Azurite's three ports, the
Cosmos DB emulator's /ready, the Service Bus emulator's /health), so \`func start\` finds them ready.
  --timeout SECONDS   give up after this long (default 300)`;

export interface Check {
  name: string;
  /** Resolves to undefined when ready, else to what is still wrong. */
  probe(): Promise<string | undefined>;
}

const CHECKS: readonly Check[] = [
  ...[10000, 10001, 10002].map((port) => ({ name: `Azurite :${port}`, probe: () => probeTcp('127.0.0.1', port) })),
  { name: 'Cosmos DB emulator', probe: () => httpOk('http://127.0.0.1:8090/ready') },
  { name: 'Service Bus emulator', probe: () => httpOk('http://127.0.0.1:5300/health') },
];

async function httpOk(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    await response.arrayBuffer();
    return response.ok ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
  }
}

export interface WaitOptions {
  timeoutMs: number;
  /** Between rounds of probes. */
  intervalMs?: number;
  /** How often to say what is still awaited (also after every change). */
  reportEveryMs?: number;
  log(line: string): void;
}

export function waitingLine(waiting: ReadonlyArray<{ name: string; problem: string }>, elapsedMs: number, remainingMs: number): string {
  const what = waiting.map((w) => `${w.name} (${w.problem})`).join(', ');
  return `waiting for ${what}; ${Math.round(elapsedMs / 1000)} s so far, giving up in ${Math.max(0, Math.round(remainingMs / 1000))} s`;
}

/** Probes until every check is ready, saying what is ready and, every so often, what is still awaited. */
export async function waitForChecks(checks: readonly Check[], options: WaitOptions): Promise<void> {
  const startedAt = Date.now();
  const deadline = startedAt + options.timeoutMs;
  const reportEveryMs = options.reportEveryMs ?? 10_000;
  const pending = new Set(checks);
  let lastReport = { at: 0, text: '' };
  for (;;) {
    const results = await Promise.all([...pending].map(async (check) => ({ check, problem: await check.probe() })));
    for (const { check, problem } of results) {
      if (problem === undefined) {
        pending.delete(check);
        options.log(`ready: ${check.name}`);
      }
    }
    if (pending.size === 0) return;
    const waiting = results.flatMap((r) => (r.problem === undefined ? [] : [{ name: r.check.name, problem: r.problem }]));
    const now = Date.now();
    if (now > deadline) {
      throw new Error(`Still not ready: ${waiting.map((w) => `${w.name} (${w.problem})`).join(', ')}. Check \`docker compose ps\` and \`docker compose logs\`.`);
    }
    // A new line when the set of awaited parts changes, else every reportEveryMs (problems may flap).
    const text = waiting.map((w) => w.name).join(', ');
    if (text !== lastReport.text || now - lastReport.at >= reportEveryMs) {
      options.log(waitingLine(waiting, now - startedAt, deadline - now));
      lastReport = { at: now, text };
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2_000));
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { timeout: { type: 'string' } });
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const timeoutMs = positiveInteger('timeout', flags.timeout, 300, 3600) * 1000;
  await waitForChecks(CHECKS, { timeoutMs, log: (line) => console.log(line) });
}

if (require.main === module) runScript(main, USAGE);
