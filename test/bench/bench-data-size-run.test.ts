import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/*
 * A short run of the real benchmark in this mode (it starts the embedded host in a child process, as
 * `npm run bench` does), in a file of its own so it runs beside the others. It asserts what the run
 * produced, never how fast.
 */
const repoRoot = path.resolve(__dirname, '../..');
const run = promisify(execFile);

describe('npm run bench -- --mode data-size', () => {
  it('measures at growing data sizes, restarting the host on its data folder', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'result.json');
    const { stdout } = await run(
      process.execPath,
      [path.join(repoRoot, 'dist/scripts/bench.js'), '--mode', 'data-size', '--sizes', '150', '--rate', '4', '--duration', '2', '--styles', 'orchestration', '--progress', '0', '--out', out],
      { cwd: repoRoot, timeout: 110_000 },
    );
    expect(stdout).toMatch(/filling the store to 150 orders\.\.\.\n {2}\d+ orders written in [\d.]+ s \((bulk operations|concurrent creates.*)\)$/m);
    expect(stdout).toMatch(/^ {2}stored {2}orchestration p50 {2}orchestration p99 {2}list p50 {2}list p99 {2}Failed p50 {2}Failed p99 {2}start-up$/m);
    expect(stdout).toMatch(/^ {2}(PASS|FAIL) {2}100,000 orders stored: GET \/api\/orders\?limit=20 p99 at most 50 ms: .+\(at \d+ stored; the target is at 100,000\)$/m);
    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      runs: { dataSize: { storedOrders: number; saga: Record<string, { completed: number; unfinished: number }>; listing: { p99Ms: number }; startupMs: number; ordersAfterRestart: number | null }[] }[];
    };
    const rows = result.runs[0]?.dataSize ?? [];
    // The empty store's row counts the order that tries the watcher out and the warm-up's (8 at 4/s for 2 s).
    expect(rows.map((row) => row.storedOrders)).toEqual([9, 150]);
    for (const row of rows) {
      expect(row.saga.orchestration).toMatchObject({ completed: 8, unfinished: 0 });
      expect(row.listing.p99Ms).toBeGreaterThan(0);
      expect(row.startupMs).toBeGreaterThan(0);
    }
  }, 120_000);
});
