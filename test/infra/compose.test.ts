import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
