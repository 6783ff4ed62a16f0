import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture, waitFor } from './helpers';

const repoRoot = path.resolve(__dirname, '../..');
const cli = path.join(repoRoot, 'dist/src/local-host/cli.js');
let child: ChildProcessWithoutNullStreams | undefined;

beforeAll(() => {
  // The CLI runs from the compiled output, as `npm start` does.
  try {
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'pipe' });
  } catch (err) {
    // Type errors elsewhere in the repo do not stop tsc from emitting; only a missing CLI is fatal here.
    if (!fs.existsSync(cli)) throw err;
  }
}, 120_000);

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

interface Run {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

/** Each run keeps its state in a folder of its own, never in the fixture app's `.data`. */
function run(args: string[], env: Record<string, string> = {}): Run {
  const state = args.includes('--data-dir') || args.includes('--in-memory') ? [] : ['--data-dir', fs.mkdtempSync(path.join(os.tmpdir(), 'cli-state-'))];
  const proc = spawn(process.execPath, [cli, ...args, ...state], { cwd: repoRoot, env: { ...process.env, ...env } });
  child = proc;
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { child: proc, output: () => output, exited };
}

function urlOf(output: string): string {
  const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
  if (!match) throw new Error(`no URL in:\n${output}`);
  return match[1] as string;
}

describe('CLI', () => {
  it('starts quickly, prints the banner once, serves requests and exits 0 on SIGINT', async () => {
    const started = Date.now();
    const { child: proc, output, exited } = run(['--app', fixture('http-basic'), '--port', '0']);
    await waitFor(() => output().includes('Host started in'), 'the banner', 10_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    const text = output();
    expect(text.split('Functions:').length - 1).toBe(1);
    const url = urlOf(text);
    expect(text).toContain(`getItem: [GET] ${url}/api/items/{id:int}`);
    expect(text).toMatch(/Cosmos DB: +embedded at http:\/\/127\.0\.0\.1:\d+/);
    expect(text).toContain('Service Bus: embedded broker');
    expect(text).toContain('Durable:     embedded task hub TestHubName');
    expect(text).toMatch(/State: +\/.*cli-state-\S+\/ \(cosmos \d+ KB, servicebus \d+ KB, taskhub \d+ KB\); npm run reset clears it/);
    const response = await fetch(`${url}/api/items/5`);
    expect(response.status).toBe(200);
    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output()).toContain('stopped');
  });

  it('exits at once on a second Ctrl+C while draining', async () => {
    const { child: proc, output, exited } = run(['--app', fixture('timer-app'), '--port', '0'], { TICK_SCHEDULE: '0 0 0 1 1 *' });
    await waitFor(() => output().includes('Host started in'), 'the banner', 10_000);
    const pending = fetch(`${urlOf(output())}/api/slow`).catch(() => undefined);
    await waitFor(() => output().includes('slow request started'), 'the slow request');
    proc.kill('SIGINT');
    await waitFor(() => output().includes('draining'), 'the drain message');
    const secondSignalAt = Date.now();
    proc.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(Date.now() - secondSignalAt).toBeLessThan(2_000);
    await pending;
  });

  it('loads an ES module app through import() and honours an empty route prefix', async () => {
    // Top-level await in the fixture rules out require(); this runs in a plain Node process, as in production.
    const { child: proc, output, exited } = run(['--app', fixture('esm-app'), '--port', '0']);
    await waitFor(() => output().includes('Host started in'), 'the banner', 10_000);
    const url = urlOf(output());
    expect(output()).toContain(`esmHello: [GET] ${url}/hello`);
    expect(await (await fetch(`${url}/hello`)).text()).toBe('hello from an ES module');
    expect((await fetch(`${url}/api/hello`)).status).toBe(404);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('reports a start-up failure and exits 1', async () => {
    const { output, exited } = run(['--app', path.join(repoRoot, 'no-such-app'), '--port', '0']);
    expect(await exited).toBe(1);
    expect(output()).toMatch(/The host failed to start: No package\.json/);
  });

  it('says what to do when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { output, exited } = run(['--app', fixture('http-basic'), '--port', String(port)]);
      expect(await exited).toBe(1);
      expect(output()).toContain('EADDRINUSE');
      expect(output()).toContain('PORT=7072 npm start');
    } finally {
      blocker.close();
    }
  });

  it('turns the fault plan on with --faults, says so in the banner and serves the counts', async () => {
    const plan = '{"seed":4,"rates":{"lockExpiry":0.5}}';
    const { child: proc, output, exited } = run(['--app', fixture('faults-app'), '--port', '0', '--faults', plan]);
    await waitFor(() => output().includes('Host started in'), 'the banner', 10_000);
    expect(output()).toContain('Faults:      fault plan ON, seed 4: lockExpiry 0.5 (counts at /admin/faults)');
    const report = (await (await fetch(`${urlOf(output())}/admin/faults`)).json()) as Record<string, unknown>;
    expect(report).toMatchObject({ enabled: true, seed: 4, rates: { lockExpiry: 0.5, activityRepeat: 0 }, injected: { lockExpiry: 0 } });
    proc.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('rejects an invalid fault plan with the field and exit code 2', async () => {
    const { output, exited } = run(['--faults', '{"seed":1,"rates":{"lockExpiry":7}}']);
    expect(await exited).toBe(2);
    expect(output()).toMatch(/rates\.lockExpiry/);
  });

  it('rejects unknown arguments with usage and exit code 2', async () => {
    const { output, exited } = run(['--bogus']);
    expect(await exited).toBe(2);
    expect(output()).toContain('Usage: functions-embedded-host');
  });
});
