import path from 'node:path';
import type { LogSink } from '../../src/local-host/logger';

export const fixturesDir = path.resolve(__dirname, '../fixtures/apps');

export function fixture(name: string): string {
  return path.join(fixturesDir, name);
}

/** Captures host log lines so tests can assert on warnings without printing them. */
export function captureLogs(): { lines: string[]; sink: LogSink; text(): string } {
  const lines: string[] = [];
  return { lines, sink: (_level, line) => lines.push(line), text: () => lines.join('\n') };
}

/** Polls until `probe` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 5_000, intervalMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** Per-process arrays the fixture apps append to. */
export function globalList<T>(name: string): T[] {
  const g = globalThis as Record<string, unknown>;
  g[name] ??= [];
  return g[name] as T[];
}
