/**
 * The embedded host as a chaos run sees it: a child process on a data folder that the run may `kill -9` at
 * any moment and start again on the same folder and port. Clients keep the one address; requests during the
 * outage fail and are retried, as against a function app that restarts. Fault counts are summed over lives.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHostProcess, type HostProcess, type HostStats } from '../bench/host-process';
import { freePort } from '../bench/free-port';

export interface CrashingHost {
  readonly url: string;
  /** Kills the host with SIGKILL mid-work and starts it again; resolves once it answers /api/health. */
  crashAndRestart(): Promise<void>;
  readonly crashes: number;
  /** Milliseconds from each kill to healthy again. */
  readonly restartMs: number[];
  stats(): Promise<HostStats>;
  /** Faults injected over every life of the host. */
  faultCounts(): Promise<Record<string, number>>;
  output(): string;
  readonly startupMs: number;
  stop(): Promise<void>;
}

export async function startCrashingHost(repoRoot: string, env: Record<string, string>, faultsOn: boolean): Promise<CrashingHost> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'petstore-chaos-'));
  const port = await freePort();
  const launch = () => startHostProcess(repoRoot, { env, port, args: ['--data-dir', dataDir] });
  let host: HostProcess;
  try {
    host = await launch();
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const startupMs = host.startupMs;
  const outputs: string[] = [];
  const earlierFaults: Record<string, number> = {};
  const restartMs: number[] = [];

  const currentFaults = async (): Promise<Record<string, number>> => {
    if (!faultsOn) return {};
    const response = await fetch(`${host.url}/admin/faults`).catch(() => undefined);
    if (!response?.ok) return {};
    return ((await response.json()) as { injected?: Record<string, number> }).injected ?? {};
  };
  const add = (into: Record<string, number>, counts: Record<string, number>) => {
    for (const [kind, count] of Object.entries(counts)) into[kind] = (into[kind] ?? 0) + count;
  };

  return {
    url: host.url,
    get crashes() {
      return restartMs.length;
    },
    restartMs,
    startupMs,
    async crashAndRestart() {
      add(earlierFaults, await currentFaults());
      await host.kill();
      const killedAt = performance.now();
      outputs.push(host.output(), `\n----- kill -9 (crash ${restartMs.length + 1}), restarting on ${dataDir} -----\n`);
      host = await launch();
      restartMs.push(performance.now() - killedAt);
    },
    stats: () => host.stats(),
    async faultCounts() {
      const total = { ...earlierFaults };
      add(total, await currentFaults());
      return total;
    },
    output: () => [...outputs, host.output()].join(''),
    async stop() {
      await host.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
