/**
 * Loads a Node v4 Functions app the way the worker's startApp does: every file matched by `package.json`
 * `main` is required (registrations arrive through the fake core module), then the appStart hooks run.
 */
import Module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CoreBinding, RegisteredFunction } from './contracts';
import type { CoreFunctionMetadata } from './core-types';
import type { CoreRegistry } from './core-module';
import { readHostJson, readPackageMain, type HostJson } from './app-files';
import { expandGlob } from './glob';

export interface LoadedApp {
  appDir: string;
  main: string;
  /** The loaded entry files, relative to appDir. */
  files: string[];
  hostJson: HostJson;
  functions: RegisteredFunction[];
}

function isTriggerType(type: string): boolean {
  return /trigger$/i.test(type);
}

export function toRegisteredFunction(metadata: CoreFunctionMetadata): RegisteredFunction {
  const entry = Object.entries(metadata.bindings).find(([, b]) => b.direction === 'in' && isTriggerType(b.type));
  if (!entry) throw new Error(`Function "${metadata.name}" has no trigger binding.`);
  const [triggerName, trigger] = entry as [string, CoreBinding];
  const fn: RegisteredFunction = { name: metadata.name, bindings: metadata.bindings, triggerName, trigger };
  if (metadata.retryOptions !== undefined) fn.retryOptions = metadata.retryOptions;
  return fn;
}

/** Whether a resolved module file belongs to the app itself (not to its dependencies). */
function isAppFile(appDir: string, file: string): boolean {
  const rel = path.relative(appDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return !rel.split(path.sep).includes('node_modules');
}

/** Forgets the app's own modules so that loading it again re-runs its registrations. */
export function clearAppFromRequireCache(appDir: string): void {
  const root = path.resolve(appDir);
  for (const key of Object.keys(require.cache)) {
    if (isAppFile(root, key)) delete require.cache[key];
  }
}

// TypeScript compiles `import()` to `require()` in CommonJS output; this keeps a real dynamic import.
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

async function loadEntryFile(appRequire: NodeJS.Require, file: string): Promise<void> {
  try {
    appRequire(file);
  } catch (err) {
    // ES modules that require() cannot load (older Node, or top-level await) go through import().
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw err;
    await importModule(pathToFileURL(file).href);
  }
}

/** Requires the entry files, then runs the appStart hooks with the context the worker passes. */
export async function loadApp(appDir: string, registry: CoreRegistry): Promise<LoadedApp> {
  const root = path.resolve(appDir);
  const main = readPackageMain(root);
  const hostJson = readHostJson(root);
  const files = await expandGlob(root, main);
  if (files.length === 0) {
    throw new Error(`package.json "main" (${main}) matches no files in ${root}. Was the app built?`);
  }
  clearAppFromRequireCache(root);
  const appRequire = Module.createRequire(path.join(root, 'package.json'));
  for (const file of files) {
    try {
      await loadEntryFile(appRequire, path.join(root, file));
    } catch (err) {
      throw new Error(`Loading ${file} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  await registry.runHooks('appStart', {
    hookData: registry.appLevelHookData,
    appHookData: registry.appHookData,
    functionAppDirectory: root,
  });
  // The worker closes registration only after indexing, which follows appStart.
  registry.finishStartup();
  const functions = [...registry.functions.values()].map((r) => toRegisteredFunction(r.metadata));
  return { appDir: root, main, files, hostJson, functions };
}

export async function runAppTerminate(registry: CoreRegistry): Promise<void> {
  await registry.runHooks('appTerminate', { hookData: registry.appLevelHookData, appHookData: registry.appHookData });
}
