import { builtinModules } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDeployedAppFile, stagePackage } from '../../scripts/package-azure';
import { readJson, repoPath, repoRoot } from './repo';

interface PackageJson {
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
}
const pkg = readJson(repoPath('package.json')) as PackageJson;
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** The bare package name of an import specifier (`@scope/name/sub` → `@scope/name`). */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Walks the compiled app from what `main` loads, through every relative require, and returns the
 * packages it requires (statically or with a dynamic import), with the file that requires each.
 */
function packagesTheAppLoads(): Map<string, string> {
  const functionsDir = repoPath('dist', 'src', 'functions');
  const pending = readdirSync(functionsDir).filter((file) => file.endsWith('.js')).map((file) => path.join(functionsDir, file));
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)|\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
      const specifier = match[1] ?? match[2];
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier);
        pending.push(existsSync(`${target}.js`) ? `${target}.js` : path.join(target, 'index.js'));
      } else if (!builtins.has(specifier)) {
        packages.set(packageName(specifier), path.relative(repoRoot, file));
      }
    }
  }
  return packages;
}

describe('package.json dependencies', () => {
  it('hold every package the deployed app loads, and nothing it loads is a dev or optional dependency', () => {
    expect(existsSync(repoPath('dist', 'src', 'functions')), 'run npm run build first').toBe(true);
    const loaded = packagesTheAppLoads();
    expect(loaded.size).toBeGreaterThan(3);
    const missing = [...loaded].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (from ${file})`);
    expect(missing).toEqual([]);
  });

  it('keep the in-process Cosmos DB server and the Functions Core Tools out of the production dependencies', () => {
    expect(pkg.dependencies).not.toHaveProperty('@vercel/cosmosdb-server');
    expect(pkg.devDependencies).toHaveProperty('@vercel/cosmosdb-server');
    expect(pkg.optionalDependencies).toHaveProperty('azure-functions-core-tools');
    expect(packagesTheAppLoads().has('@vercel/cosmosdb-server')).toBe(false);
  });

  it('declare @azure/identity at a version that still runs on Node 20', () => {
    // 4.13.2 and later require Node 22; the app keeps running on Node 20 locally.
    expect(pkg.dependencies['@azure/identity']).toBe('4.13.1');
  });
});

describe('package-lock.json', () => {
  const lock = readJson(repoPath('package-lock.json')) as { packages: Record<string, { optional?: boolean; dev?: boolean }> };

  it("carries every platform's optional native packages, so npm ci works on macOS and Windows too", () => {
    for (const native of [
      'node_modules/@rollup/rollup-darwin-arm64',
      'node_modules/@rollup/rollup-darwin-x64',
      'node_modules/@rollup/rollup-win32-x64-msvc',
      'node_modules/@rollup/rollup-linux-x64-gnu',
      'node_modules/@rollup/rollup-linux-arm64-gnu',
      'node_modules/@esbuild/darwin-arm64',
      'node_modules/@esbuild/win32-x64',
    ]) {
      expect(lock.packages, native).toHaveProperty([native]);
    }
  });

  it('marks the in-process Cosmos DB server as a dev dependency', () => {
    expect(lock.packages['node_modules/@vercel/cosmosdb-server']?.dev).toBe(true);
  });
});

describe('npm ci is the install', () => {
  it('in CI', () => {
    const ci = readFileSync(repoPath('.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).not.toMatch(/^npm install\b/m);
  });

  it('in the README', () => {
    const readme = readFileSync(repoPath('README.md'), 'utf8');
    expect(readme).toMatch(/^npm ci && npm start/m);
  });
});

describe('the deployment package (npm run package:azure)', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'deploy-package-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('leaves the embedded host, source maps and build info out of the compiled app', () => {
    expect(isDeployedAppFile('functions/create-order.js')).toBe(true);
    expect(isDeployedAppFile('data/containers.js')).toBe(true);
    expect(isDeployedAppFile('local-host')).toBe(false);
    expect(isDeployedAppFile(path.join('local-host', 'cli.js'))).toBe(false);
    expect(isDeployedAppFile('functions/create-order.js.map')).toBe(false);
  });

  it('stages host.json, the manifest, the lock file and the compiled app, and nothing else', () => {
    stagePackage(repoRoot, out);
    expect(readdirSync(out).sort()).toEqual(['dist', 'host.json', 'package-lock.json', 'package.json']);
    expect(readdirSync(path.join(out, 'dist'))).toEqual(['src']);
    const staged = readdirSync(path.join(out, 'dist', 'src'), { recursive: true, encoding: 'utf8' });
    expect(staged.some((file) => file.startsWith('local-host'))).toBe(false);
    expect(staged.some((file) => file.endsWith('.map'))).toBe(false);
    expect(staged).toContain(path.join('functions', 'create-order.js'));
    expect(readFileSync(path.join(out, 'host.json'), 'utf8')).toBe(readFileSync(repoPath('host.json'), 'utf8'));
  });

  it('has every file the app requires, so the embedded host was never needed', () => {
    stagePackage(repoRoot, out);
    const missing: string[] = [];
    for (const file of readdirSync(path.join(out, 'dist', 'src'), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.js')) continue;
      const source = readFileSync(path.join(out, 'dist', 'src', file), 'utf8');
      for (const match of source.matchAll(/\brequire\(\s*["'](\.[^"']+)["']\s*\)/g)) {
        const target = path.resolve(path.dirname(path.join(out, 'dist', 'src', file)), match[1]);
        if (!existsSync(`${target}.js`) && !existsSync(path.join(target, 'index.js'))) missing.push(`${file} → ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('.funcignore', () => {
  const ignored = readFileSync(repoPath('.funcignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it("keeps func's own binaries, tests, sources, bench results and local settings out of a publish", () => {
    for (const entry of [
      'node_modules/azure-functions-core-tools',
      'test',
      '*.ts',
      'bench-results',
      'local.settings.json',
      'dist/src/local-host',
      'dist/test',
      'infra',
    ]) {
      expect(ignored, entry).toContain(entry);
    }
  });

  it('never leaves out what the host loads', () => {
    for (const entry of ignored) {
      expect(['host.json', 'package.json', 'dist', 'dist/src', 'dist/src/functions', 'node_modules'], entry).not.toContain(entry.replace(/\/$/, ''));
    }
  });
});
