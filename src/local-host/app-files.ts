/** Reads the files that describe a Functions app folder: package.json, host.json, local.settings.json. */
import fs from 'node:fs';
import path from 'node:path';

export interface HostJson {
  version?: string;
  extensions?: {
    http?: { routePrefix?: string };
    serviceBus?: { maxConcurrentCalls?: number; autoCompleteMessages?: boolean };
    durableTask?: { hubName?: string; maxConcurrentActivityFunctions?: number; maxConcurrentOrchestratorFunctions?: number };
    [name: string]: unknown;
  };
  [key: string]: unknown;
}

export interface LocalSettings {
  Values?: Record<string, unknown>;
  Host?: { LocalHttpPort?: number | string };
}

function readJson(file: string): unknown {
  // JSON files written on Windows sometimes start with a BOM, which JSON.parse rejects.
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function readOptionalJson(file: string): unknown {
  try {
    return readJson(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

export function readPackageMain(appDir: string): string {
  const file = path.join(appDir, 'package.json');
  if (!fs.existsSync(file)) throw new Error(`No package.json in ${appDir}: is this a Functions app folder?`);
  const pkg = asObject(readJson(file), file);
  if (typeof pkg.main === 'string' && pkg.main.trim() !== '') return pkg.main.trim();
  return 'index.js';
}

export function readHostJson(appDir: string): HostJson {
  const file = path.join(appDir, 'host.json');
  return asObject(readOptionalJson(file), file) as HostJson;
}

export function readLocalSettings(appDir: string): LocalSettings {
  const file = path.join(appDir, 'local.settings.json');
  return asObject(readOptionalJson(file), file) as LocalSettings;
}

/** `extensions.http.routePrefix` without surrounding slashes; `api` when unset. */
export function routePrefixOf(hostJson: HostJson): string {
  const prefix = hostJson.extensions?.http?.routePrefix;
  return (typeof prefix === 'string' ? prefix : 'api').replace(/^\/+|\/+$/g, '');
}
