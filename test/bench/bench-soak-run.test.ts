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

describe('npm run bench -- --mode soak', () => {
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
});
