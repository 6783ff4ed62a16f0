/**
 * `kill -9` of the host, then the next start on the same data folder: the task hub in SQLite brings back
 * every instance (running, waiting, suspended, finished). The first host is the CLI in a child process (as `npm start` runs it), killed with
 * SIGKILL; the second is started in this process on the same folder.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../src/local-host/durable/instance-store';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { onDisk } from '../../src/local-host/storage/state-location';
import { fixture, waitFor } from './helpers';

const repoRoot = path.resolve(__dirname, '../..');
const cli = path.join(repoRoot, 'dist/src/local-host/cli.js');
const appDir = fixture('durable-basics');
let dataDir: string;
let host: RunningHost | undefined;

beforeAll(() => {
  // The first host runs from the compiled output, as `npm start` does.
  try {
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'pipe' });
  } catch (err) {
    if (!fs.existsSync(cli)) throw err;
  }
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskhub-kill-'));
}, 120_000);

afterAll(async () => {
  await host?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function post(url: string, body?: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
}

async function statusOf(url: string, instanceId: string): Promise<{ runtimeStatus: string; output: unknown }> {
  return (await (await fetch(`${url}/api/status/${instanceId}`)).json()) as { runtimeStatus: string; output: unknown };
}

const finished = (r: InstanceRecord): boolean => ['Completed', 'Failed', 'Terminated'].includes(r.runtimeStatus);

describe('kill -9 and restart', () => {
  it('resumes a pending timer, a waiting instance and a suspended one (still suspended), and keeps a finished one', async () => {
    const child = spawn(process.execPath, [cli, '--app', appDir, '--port', '0', '--data-dir', dataDir], { cwd: repoRoot });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      const url = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], 'the first host', 15_000);
      expect((await post(`${url}/api/start/Chain/done-before-kill`, 'Oslo')).status).toBe(202);
      expect((await post(`${url}/api/start/Timer/timer-across-kill`, { ms: 1_500 })).status).toBe(202);
      expect((await post(`${url}/api/start/TwoEvents/events-across-kill`)).status).toBe(202);
      expect((await post(`${url}/api/start/TwoEvents/suspended-across-kill`)).status).toBe(202);
      await waitFor(async () => (await statusOf(url, 'suspended-across-kill')).runtimeStatus === 'Running', 'the instance to run', 10_000);
      expect((await post(`${url}/api/control/suspend/suspended-across-kill`)).status).toBe(202);
      expect((await post(`${url}/api/raise/suspended-across-kill/First`, 'held')).status).toBe(202);
      await waitFor(async () => (await statusOf(url, 'done-before-kill')).runtimeStatus === 'Completed', 'the chain to complete', 10_000);
      await waitFor(async () => (await statusOf(url, 'timer-across-kill')).runtimeStatus === 'Running', 'the timer to be created', 10_000);
      // Accepted means persisted: whether or not its episode ran before the kill, the event is not lost.
      expect((await post(`${url}/api/raise/events-across-kill/First`, 'one')).status).toBe(202);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');

    host = await startHost({ appDir, port: 0, quiet: true, state: onDisk(dataDir) });
    const timer = await host.durable.waitForInstance('timer-across-kill', finished, 10_000);
    expect(timer.runtimeStatus).toBe('Completed');
    const times = JSON.parse(timer.output!) as { fireAt: string; resumedAt: string };
    expect(Date.parse(times.resumedAt)).toBeGreaterThanOrEqual(Date.parse(times.fireAt));

    const done = host.durable.getInstance('done-before-kill');
    expect(done?.runtimeStatus).toBe('Completed');
    expect(JSON.parse(done!.output!)).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello Oslo!']);

    expect((await post(`${host.url}/api/raise/events-across-kill/Second`, 'two')).status).toBe(202);
    const events = await host.durable.waitForInstance('events-across-kill', finished, 10_000);
    expect(JSON.parse(events.output!)).toEqual(['one', 'two']);

    // Suspended stays suspended, its event waiting, until resumed.
    expect((await post(`${host.url}/api/raise/suspended-across-kill/Second`, 'later')).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(host.durable.getStatus('suspended-across-kill')?.runtimeStatus).toBe('Suspended');
    expect((await post(`${host.url}/api/control/resume/suspended-across-kill`)).status).toBe(202);
    const resumed = await host.durable.waitForInstance('suspended-across-kill', finished, 10_000);
    expect(JSON.parse(resumed.output!)).toEqual(['held', 'later']);
    await host.stop();
    host = undefined;
  }, 60_000);

  it('after a graceful stop (Ctrl-C), finishes at the next start what was in flight', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskhub-stop-'));
    try {
      const first = await startHost({ appDir, port: 0, quiet: true, state: onDisk(dir), drainTimeoutMs: 2_000 });
      first.durable.startNew('Timer', { instanceId: 'timer-across-stop', input: { ms: 800 } });
      first.durable.startNew('OverlapProbe', { instanceId: 'fan-out-across-stop' });
      await waitFor(() => first.durable.getInstance('fan-out-across-stop')?.runtimeStatus === 'Running', 'the fan-out to start', 5_000);
      await first.stop();

      const second = await startHost({ appDir, port: 0, quiet: true, state: onDisk(dir) });
      try {
        const fanOut = await second.durable.waitForInstance('fan-out-across-stop', finished, 10_000);
        expect(fanOut.output).toBe('24');
        const timer = await second.durable.waitForInstance('timer-across-stop', finished, 10_000);
        expect(timer.runtimeStatus).toBe('Completed');
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
