import { parseFlags, positiveInteger, runScript } from './lib/cli';
import { probeTcp } from './lib/net';

const USAGE = `Usage: node dist/scripts/wait-for-emulators.js [--timeout SECONDS]

Waits until the containers of docker-compose.yml answer on this machine (Azurite's three ports, the
Cosmos DB emulator's /ready, the Service Bus emulator's /health), so \`func start\` finds them ready.
  --timeout SECONDS   give up after this long (default 300)`;

interface Check {
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

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { timeout: { type: 'string' } });
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const deadline = Date.now() + positiveInteger('timeout', flags.timeout, 300, 3600) * 1000;
  const pending = new Set(CHECKS);
  for (;;) {
    const results = await Promise.all([...pending].map(async (check) => ({ check, problem: await check.probe() })));
    for (const { check, problem } of results) {
      if (problem === undefined) {
        pending.delete(check);
        console.log(`ready: ${check.name}`);
      }
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const waiting = results.filter((r) => r.problem !== undefined).map((r) => `${r.check.name} (${r.problem})`);
      throw new Error(`Still not ready: ${waiting.join(', ')}. Check \`docker compose ps\` and \`docker compose logs\`.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

runScript(main, USAGE);
