import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath, repoRoot } from './repo';

/** docker-compose v1 when installed, else the Compose v2 plugin; `config` needs no running engine. */
function findCompose(): string[] | null {
  const works = (command: string[]) => spawnSync(command[0], [...command.slice(1), 'version'], { stdio: 'ignore' }).status === 0;
  if (works(['docker-compose'])) return ['docker-compose'];
  if (works(['docker', 'compose'])) return ['docker', 'compose'];
  return null;
}

const compose = findCompose();
// An empty env file, so a developer's own .env cannot decide the outcome.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'compose-test-'));
const emptyEnvFile = path.join(scratch, 'empty.env');
writeFileSync(emptyEnvFile, '');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function runConfig(env: NodeJS.ProcessEnv) {
  const [command, ...prefix] = compose ?? [];
  const args = [...prefix, '--env-file', emptyEnvFile, '-f', repoPath('docker-compose.yml'), 'config', '-q'];
  return spawnSync(command, args, { cwd: repoRoot, env, encoding: 'utf8' });
}

function withoutSqlPassword(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.SQL_PASSWORD;
  return env;
}

const NO_COMPOSE = 'needs docker-compose or the docker compose plugin to validate the file; neither is installed';

describe('docker-compose.yml', () => {
  it('is a valid Compose file', ({ skip }) => {
    skip(!compose, NO_COMPOSE);
    const result = runConfig({ ...withoutSqlPassword(), SQL_PASSWORD: 'Test-Passw0rd!' });
    expect(result.stderr, result.stderr).not.toMatch(/error|invalid/i);
    expect(result.status).toBe(0);
  });

  it('refuses to start without SQL_PASSWORD and says where to set it', ({ skip }) => {
    skip(!compose, NO_COMPOSE);
    const result = runConfig(withoutSqlPassword());
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/SQL_PASSWORD.*\.env/);
  });
});

describe('docker-compose.yml ports and profiles', () => {
  const text = readFileSync(repoPath('docker-compose.yml'), 'utf8');
  /** Each service's block, from its two-space-indented name to the next one. */
  const services = new Map(
    [...text.slice(text.indexOf('\nservices:\n')).matchAll(/^ {2}([\w-]+):\n((?: {4,}.*\n|\s*\n)*)/gm)].map((m) => [m[1], m[2]]),
  );
  const hostPorts = (block: string) => [...block.matchAll(/- "127\.0\.0\.1:(\d+):(\d+)"/g)].map((m) => ({ host: Number(m[1]), container: Number(m[2]) }));

  it('publishes every host port once, so the DTS emulator and the Cosmos DB emulator can run together', () => {
    const all = [...services.values()].flatMap((block) => hostPorts(block).map((port) => port.host));
    expect(all.length).toBeGreaterThan(5);
    expect(new Set(all).size).toBe(all.length);
  });

  it('offers the Durable Task Scheduler emulator as the optional "dts" profile, gRPC on 8080 and the dashboard on 8082', () => {
    const dts = services.get('dts') ?? '';
    expect(dts).toContain('image: mcr.microsoft.com/dts/dts-emulator');
    expect(dts).toMatch(/profiles: \["dts"\]/);
    expect(hostPorts(dts)).toEqual([
      { host: 8080, container: 8080 },
      { host: 8082, container: 8082 },
    ]);
    // Every other service starts without a profile, as before.
    for (const [name, block] of services) if (name !== 'dts') expect(block, name).not.toContain('profiles:');
  });

  it("moves the Cosmos DB emulator's health port off 8080, and the readiness wait follows it", () => {
    expect(hostPorts(services.get('cosmos') ?? '')).toContainEqual({ host: 8090, container: 8080 });
    expect(readFileSync(repoPath('scripts', 'wait-for-emulators.ts'), 'utf8')).toContain('http://127.0.0.1:8090/ready');
  });
});
