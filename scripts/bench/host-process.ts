import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export interface HostStats {
  cosmos: { mode: string; endpoint: string; requests: number };
  /** activeMessages/lockedMessages: the backlog (hosts from before they were reported lack them). */
  serviceBus: { sent: number; delivered: number; completed: number; abandoned: number; deadLettered: number; activeMessages?: number; lockedMessages?: number };
  durable: Record<string, number>;
  /** The host process's memory (hosts from before it was reported lack it). */
  process?: { residentBytes: number; heapUsedBytes: number; heapTotalBytes: number };
}

/** Where the started host keeps its state: `--in-memory`, or `--data-dir <dir>`. */
export type HostState = { kind: 'memory' } | { kind: 'disk'; dir: string };

export function stateArgs(state: HostState): string[] {
  return state.kind === 'memory' ? ['--in-memory'] : ['--data-dir', state.dir];
}

export interface HostProcess {
  url: string;
  startupMs: number;
  /** What the host printed (the embedded host only): shown when a run goes wrong. */
  output(): string;
  /** `started`: the embedded host this run started; `attached`: one somebody else runs (--url). */
  kind: 'started' | 'attached';
  /** Whether the host has the embedded host's stats endpoint (per-saga costs, restocking). */
  hasStats: boolean;
  stats(): Promise<HostStats>;
  stop(): Promise<void>;
  /** `kill -9`: the host gets no chance to drain or close anything (the embedded host only). */
  kill(): Promise<void>;
}

export interface HostProcessOptions {
  env?: Record<string, string>;
  /** More CLI arguments, e.g. `--data-dir <folder>` or `--in-memory`. */
  args?: string[];
  /** A fixed port (a restarted host keeps its address); a free one otherwise. */
  port?: number;
  /** Where the host keeps its state; without it (and without a state flag in `args`) a fresh temporary folder. */
  state?: HostState;
}

/**
 * The benchmark runs the embedded host in its own process, exactly as `npm start` does, so the load
 * generator's own work does not share the host's event loop.
 */
export async function startHostProcess(repoRoot: string, options: HostProcessOptions = {}): Promise<HostProcess> {
  const port = options.port ?? (await freePort());
  const started = performance.now();
  const args = [...(options.state ? stateArgs(options.state) : []), ...(options.args ?? [])];
  // Unless told where, a host gets a fresh data folder of its own: runs in parallel (the chaos seeds) must not
  // share queues and documents, and a run must not start with what the last one left.
  const ownDataDir = args.includes('--data-dir') || args.includes('--in-memory') ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'petstore-host-'));
  const removeOwnData = () => {
    if (ownDataDir) fs.rmSync(ownDataDir, { recursive: true, force: true });
  };
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/src/local-host/cli.js'), '--app', repoRoot, '--port', String(port), '--log-level', 'warn', ...args, ...(ownDataDir ? ['--data-dir', ownDataDir] : [])], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  // The last chunks are what explains a failure; a long run under faults logs far more than that.
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 500) output.splice(0, output.length - 500);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, output);
  const startupMs = performance.now() - started;
  return {
    url,
    startupMs,
    output: () => output.join(''),
    kind: 'started',
    hasStats: true,
    async stats() {
      const response = await fetch(`${url}/admin/host/stats`);
      if (!response.ok) throw new Error(`GET /admin/host/stats answered ${response.status}`);
      return (await response.json()) as HostStats;
    },
    stop: async () => {
      await stopChild(child);
      removeOwnData();
    },
    kill: async () => {
      await killChild(child);
      removeOwnData();
    },
  };
}

/**
 * A host somebody else started (`npm start`, `func start`, or one under a profiler). Only the embedded
 * host has the stats endpoint; elsewhere the per-saga costs are reported as unknown.
 */
export async function attachToHost(url: string): Promise<HostProcess> {
  const base = url.replace(/\/+$/, '');
  const response = await fetch(`${base}/api/health`).catch((error: unknown) => {
    throw new Error(`Nothing answers at ${base}/api/health: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (!response.ok) throw new Error(`${base}/api/health answered ${response.status}`);
  const probe = await fetch(`${base}/admin/host/stats`).catch(() => undefined);
  return {
    url: base,
    startupMs: 0,
    output: () => '',
    kind: 'attached',
    hasStats: probe?.ok === true,
    async stats() {
      const stats = await fetch(`${base}/admin/host/stats`).catch(() => undefined);
      if (stats?.ok) return (await stats.json()) as HostStats;
      return { cosmos: { mode: 'unknown', endpoint: '', requests: Number.NaN }, serviceBus: { sent: Number.NaN, delivered: 0, completed: 0, abandoned: 0, deadLettered: 0 }, durable: {} };
    },
    stop: async () => undefined,
    kill: () => Promise.reject(new Error('Only a host this run started can be killed')),
  };
}

/** Says which host the numbers are from, and which numbers a host other than the embedded one cannot give. */
export function describeHost(host: Pick<HostProcess, 'url' | 'kind' | 'hasStats' | 'startupMs'>): string {
  if (host.kind === 'started') return `Embedded host started at ${host.url} (ready in ${Math.round(host.startupMs)} ms)`;
  if (host.hasStats) return `Driving the host at ${host.url}, started elsewhere: an embedded host (it has /admin/host/stats), so every number is reported`;
  return (
    `Driving the host at ${host.url}: not the embedded host (no /admin/host/stats). Reported: throughput, saga latency and outcomes. ` +
    'Not reported: Cosmos DB requests, messages and Durable work per saga; stock is not topped up, so long runs can run out of it'
  );
}

async function waitForHealth(url: string, child: ChildProcess, output: string[]): Promise<void> {
  // Start-up with a large store is itself measured (data-size mode): allow it far more than the target.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The host exited with code ${child.exitCode}:\n${output.join('')}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    // Short, since the time to healthy is reported with a target of a few seconds.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`The host did not become healthy within 120 s:\n${output.join('')}`);
}

function killChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGINT');
  });
}
