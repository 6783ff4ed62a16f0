import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/*
 * A short run of the real benchmark (it starts the embedded host in a child process, as `npm run bench`
 * does): it must finish every saga it starts, in both styles, and write a result with the costs per saga.
 * It asserts what the run produced, never how fast.
 */
const repoRoot = path.resolve(__dirname, '../..');
const run = promisify(execFile);

interface StyleResult {
  orders: number;
  completedSagas: number;
  unfinished: number;
  outcomes: Record<string, number>;
  cosmosRequestsPerSaga: number;
  messagesPerSaga: number;
  latencyMs: { p50: number; p99: number };
}

describe('npm run bench', () => {
  it('drives both saga styles and reports per-saga costs', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'result.json');
    const { stdout } = await run(process.execPath, [path.join(repoRoot, 'dist/scripts/bench.js'), '--rate', '5', '--duration', '2', '--failures', '20', '--progress', '1', '--out', out], {
      cwd: repoRoot,
      timeout: 90_000,
    });
    // A progress line every second while each style runs.
    expect(stdout).toMatch(/\[orchestration +\d+ s\] sent \d+, completed \d+, in flight \d+, now [\d.]+ sagas\/s/);
    expect(stdout).toMatch(/\[choreography +\d+ s\] sent \d+/);
    // State on disk in a fresh folder by default; the way saga ends are learnt is said, and the targets listed.
    expect(stdout).toMatch(/=== open run, state on disk \(--data-dir a fresh temporary folder\) ===/);
    expect(stdout).toMatch(/^Saga ends: /m);
    expect(stdout).toMatch(/^ {2}(PASS|FAIL) {2}start-up to healthy under 3 s with a built app: \d+ ms$/m);
    expect(stdout).toMatch(/^ {2}-- {4}closed loop, orchestration: at least 200 sagas\/s: not measured by this run/m);
    const result = JSON.parse(readFileSync(out, 'utf8')) as { runs: { state: string; sagaEnds: string; styles: Record<string, StyleResult> }[]; machine: { cpus: number } };
    expect(result.runs).toHaveLength(1);
    const [measured] = result.runs;
    expect(measured?.state).toBe('disk');
    expect(['change feed', 'polling']).toContain(measured?.sagaEnds);
    const styles = measured?.styles ?? {};
    expect(Object.keys(styles)).toEqual(['orchestration', 'choreography']);
    for (const style of Object.values(styles)) {
      expect(style.orders).toBe(10);
      expect(style.completedSagas).toBe(10);
      expect(style.unfinished).toBe(0);
      expect(style.outcomes).toEqual({ Completed: 8, Cancelled: 2 });
      expect(style.cosmosRequestsPerSaga).toBeGreaterThan(5);
      expect(style.latencyMs.p99).toBeGreaterThanOrEqual(style.latencyMs.p50);
    }
    expect(styles.orchestration?.messagesPerSaga).toBe(1);
    expect(styles.choreography?.messagesPerSaga).toBeGreaterThan(5);
    expect(result.machine.cpus).toBeGreaterThan(0);
  }, 120_000);

  it('soaks: a line per interval with latency, memory, listing and backlog, then the verdict', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'result.json');
    const { stdout } = await run(
      process.execPath,
      [path.join(repoRoot, 'dist/scripts/bench.js'), '--mode', 'soak', '--rate', '4', '--duration', '6s', '--soak-interval', '3', '--state', 'memory', '--out', out],
      { cwd: repoRoot, timeout: 90_000 },
    );
    expect(stdout).toMatch(/=== soak run, state in memory \(--in-memory\) ===/);
    expect(stdout).toMatch(/^ {2}minute {3}1: +\d+ completed, saga p50 .+, resident \d+ MiB heap \d+ MiB, listing p50 .+ \(\d samples\), backlog \d+ messages$/m);
    expect(stdout).toMatch(/^ {2}minute {3}2: /m);
    expect(stdout).toMatch(/^ {2}memory flat: {3}(PASS|FAIL) \(last minute \d+ MiB against the first minute's \d+ MiB \+ 10 %/m);
    const result = JSON.parse(readFileSync(out, 'utf8')) as { runs: { state: string; soak: { minutes: unknown[]; unfinished: number; drained: number } }[] };
    expect(result.runs[0]?.state).toBe('memory');
    expect(result.runs[0]?.soak.minutes).toHaveLength(2);
    expect(result.runs[0]?.soak.unfinished).toBe(0);
  }, 120_000);

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
