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
});
