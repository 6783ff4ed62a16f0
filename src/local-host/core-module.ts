/**
 * Stands in for the Node worker's built-in `@azure/functions-core` module, the way the worker's
 * setupCoreModule does: CommonJS `require` is wrapped so that the name resolves to a core API object.
 *
 * @azure/functions requires that module once and caches the result for the life of the process, so the
 * object handed out here is a process-wide singleton that forwards to whichever host is current. That lets
 * a second host start in the same process after the first one stopped.
 */
import Module from 'node:module';
import type {
  CoreFunctionMetadata,
  DisposableLike,
  FunctionCallback,
  HookCallback,
  HookName,
  ProgrammingModel,
  WorkerLogCategory,
  WorkerLogLevel,
} from './core-types';
import { hookNames } from './core-types';

export const coreModuleName = '@azure/functions-core';
const coreApiVersion = '3.10.1';
const emulatedHostVersion = '4.1040.0';

export class Disposable implements DisposableLike {
  #callback: (() => unknown) | undefined;

  static from(...items: DisposableLike[]): Disposable {
    return new Disposable(() => {
      for (const item of items) item.dispose();
    });
  }

  constructor(callback: () => unknown) {
    this.#callback = callback;
  }

  dispose(): unknown {
    const callback = this.#callback;
    this.#callback = undefined;
    return callback?.();
  }
}

export interface CoreRegistration {
  metadata: CoreFunctionMetadata;
  callback: FunctionCallback;
}

export type CoreLogHandler = (level: WorkerLogLevel, category: WorkerLogCategory, message: string) => void;

/** Everything one host captured from its app: functions, hooks and the data hooks share. */
export class CoreRegistry {
  readonly functions = new Map<string, CoreRegistration>();
  readonly #hooks = new Map<HookName, HookCallback[]>();
  /** Shared by every hook of the app (the worker's `appHookData`). */
  readonly appHookData: Record<string, unknown> = {};
  /** Shared by the appStart and appTerminate hooks only (the worker's `hookData` for app hooks). */
  readonly appLevelHookData: Record<string, unknown> = {};
  #finishedStartup = false;

  constructor(readonly log: CoreLogHandler) {}

  get finishedStartup(): boolean {
    return this.#finishedStartup;
  }

  finishStartup(): void {
    this.#finishedStartup = true;
  }

  registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable {
    if (this.#finishedStartup) {
      throw new Error('A function can only be registered during app startup.');
    }
    const id = metadata.functionId || metadata.name;
    if (!id) throw new Error('A function registration needs a name.');
    if (this.functions.has(id)) {
      throw new Error(`A function with the id or name "${id}" has already been registered.`);
    }
    this.functions.set(id, { metadata, callback });
    return new Disposable(() => {
      if (this.#finishedStartup) throw new Error('A function can only be disposed during app startup.');
      this.functions.delete(id);
    });
  }

  /** The registration of the function called `name` (registrations are keyed by functionId || name). */
  findByName(name: string): CoreRegistration | undefined {
    const byKey = this.functions.get(name);
    if (byKey?.metadata.name === name) return byKey;
    return [...this.functions.values()].find((r) => r.metadata.name === name);
  }

  registerHook(name: string, callback: HookCallback): Disposable {
    if (!hookNames.includes(name as HookName)) {
      throw new RangeError(`Unrecognized hook "${name}"`);
    }
    const list = this.getHooks(name as HookName);
    list.push(callback);
    this.#hooks.set(name as HookName, list);
    return new Disposable(() => {
      const index = list.indexOf(callback);
      if (index >= 0) list.splice(index, 1);
    });
  }

  getHooks(name: HookName): HookCallback[] {
    return this.#hooks.get(name) ?? [];
  }

  /** Runs the hooks in registration order, awaiting each, as the worker's executeHooks does. */
  async runHooks(name: HookName, context: unknown): Promise<void> {
    for (const hook of [...this.getHooks(name)]) {
      await hook(context);
    }
  }
}

// Process-wide state behind the singleton core API.
let currentRegistry: CoreRegistry | undefined;
// The library sets its programming model once per process (at its first registration), so the model must
// outlive the host that happened to be current at that moment.
let programmingModel: ProgrammingModel | undefined;
type RequireMethod = (id: string) => unknown;
let originalRequire: RequireMethod | undefined;
let patchedRequire: RequireMethod | undefined;

function requireRegistry(): CoreRegistry {
  if (!currentRegistry) throw new Error('A function can only be registered during app startup.');
  return currentRegistry;
}

const coreApi = {
  version: coreApiVersion,
  get hostVersion(): string {
    return emulatedHostVersion;
  },
  registerFunction: (metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable =>
    requireRegistry().registerFunction(metadata, callback),
  registerHook: (name: string, callback: HookCallback): Disposable => requireRegistry().registerHook(name, callback),
  setProgrammingModel: (model: ProgrammingModel): void => {
    programmingModel = model;
    currentRegistry?.log('debug', 'system', `Setting Node.js programming model to "${model.name}" version "${model.version}"`);
  },
  getProgrammingModel: (): ProgrammingModel | undefined => programmingModel,
  log: (level: WorkerLogLevel, category: WorkerLogCategory, message: string): void => {
    if (currentRegistry) currentRegistry.log(level, category, message);
    else if (level === 'warning' || level === 'error' || level === 'critical') console.warn(message);
  },
  Disposable,
};

export function getProgrammingModel(): ProgrammingModel | undefined {
  return programmingModel;
}

/** Makes `require('@azure/functions-core')` answer with the core API, routed to `registry`. */
export function installCoreModule(registry: CoreRegistry): void {
  if (currentRegistry && currentRegistry !== registry) {
    throw new Error('Another embedded host is running in this process; stop it before starting a new one.');
  }
  currentRegistry = registry;
  if (originalRequire) return;
  const target = Module.prototype.require;
  originalRequire = target;
  patchedRequire = new Proxy(target, {
    apply(fn, thisArg, args: unknown[]) {
      if (args[0] === coreModuleName) return coreApi;
      return Reflect.apply(fn, thisArg, args);
    },
  });
  Module.prototype.require = patchedRequire as typeof Module.prototype.require;
}

/** Detaches `registry` and restores the original `require`. The library keeps its cached core API. */
export function uninstallCoreModule(registry: CoreRegistry): void {
  if (currentRegistry !== registry) return;
  currentRegistry = undefined;
  // Someone may have wrapped require after us; unwrapping then would drop their patch, so leave it.
  if (originalRequire && Module.prototype.require === patchedRequire) {
    Module.prototype.require = originalRequire as typeof Module.prototype.require;
    originalRequire = undefined;
    patchedRequire = undefined;
  }
}

export function isCoreModuleInstalled(): boolean {
  return originalRequire !== undefined;
}
