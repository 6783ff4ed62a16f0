/**
 * The Durable Functions engine of the embedded host: it plays the Durable extension for the app's
 * orchestrators, activities and durable clients. Orchestrator semantics stay in the real durable-functions
 * code (replayed inside the orchestrator handler); the engine keeps histories, numbers tasks, runs
 * activities and timers, and serves the HTTP API the DurableClient talks to.
 */
import os from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  FunctionInvoker,
  HostClock,
  HostService,
  HttpRouteHandler,
  InputBindingProvider,
  RegisteredFunction,
} from '../contracts';
import type { FaultInjector } from '../faults/fault-injector';
import { ActivityRunner } from './activity-runner';
import { clientBindingData } from './client-urls';
import { DurableTimers } from './durable-timers';
import { FunctionCatalog } from './function-catalog';
import { DurableHttpApi } from './http-api';
import { openDatabase } from '../storage/sqlite';
import { inMemory, storeFile, type StateLocation } from '../storage/state-location';
import type { InstanceRecord } from './instance-store';
import { OrchestrationRunner, type OrchestrationCounters, type StartRequest, type StartResult } from './orchestration-runner';
import { statusPayload, type StatusOptions, type StatusPayload } from './status-payload';
import { TaskHubStore } from './task-hub-store';

export interface DurableEngineOptions {
  functions: RegisteredFunction[];
  invoker: FunctionInvoker;
  clock: HostClock;
  hubName: string;
  /** e.g. http://127.0.0.1:7071 */
  origin: string;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Defaults to 10 × CPU count, the extension's maxConcurrentActivityFunctions default. */
  maxConcurrentActivities?: number;
  /** Defaults to 10 × CPU count, the extension's maxConcurrentOrchestratorFunctions default. */
  maxConcurrentOrchestrations?: number;
  /** Upper bound for drain() (default 10 s). */
  drainTimeoutMs?: number;
  /** The fault plan (activityRepeat). */
  faults?: FaultInjector;
  /** Where the task hub lives (its SQLite file, or an in-memory database); in memory by default. */
  state?: StateLocation;
}

/** What the engine holds in the heap: running instances only, however many have finished. */
export interface DurableResidency {
  /** Instance records (with their histories) in the heap. */
  records: number;
  /** Executions with their ledgers and inboxes. */
  executions: number;
  /** Instances in the task hub, finished ones included. */
  stored: number;
}

export interface DurableCounters extends OrchestrationCounters {
  activities: number;
  activityFailures: number;
  /** Activities run a second time by the activityRepeat fault. */
  activityRepeats: number;
}

export class DurableEngine implements HostService, HttpRouteHandler {
  /** Value for `durableClient` / `orchestrationClient` input bindings. */
  readonly clientBindingProvider: InputBindingProvider;

  readonly #options: DurableEngineOptions;
  readonly #store: TaskHubStore;
  readonly #timers: DurableTimers;
  readonly #activities: ActivityRunner;
  readonly #runner: OrchestrationRunner;
  readonly #api: DurableHttpApi;
  #drained = false;
  #recovered = false;

  constructor(options: DurableEngineOptions) {
    this.#options = options;
    this.#store = new TaskHubStore(openDatabase(storeFile(options.state ?? inMemory, 'taskhub')));
    const defaultConcurrency = 10 * Math.max(1, os.cpus().length);
    const catalog = new FunctionCatalog(options.functions);
    this.#timers = new DurableTimers(options.clock, options.log);
    this.#activities = new ActivityRunner(catalog, options.invoker, options.clock, options.maxConcurrentActivities ?? defaultConcurrency, options.faults);
    this.#runner = new OrchestrationRunner({
      store: this.#store,
      catalog,
      invoker: options.invoker,
      clock: options.clock,
      timers: this.#timers,
      activities: this.#activities,
      maxConcurrentEpisodes: options.maxConcurrentOrchestrations ?? defaultConcurrency,
      log: options.log,
    });
    this.#api = new DurableHttpApi({
      runner: this.#runner,
      store: this.#store,
      hubName: options.hubName,
      waitForInstance: (id, predicate, timeoutMs) => this.#waitFor(id, predicate, timeoutMs),
    });
    const bindingJson = JSON.stringify(clientBindingData(options.origin, options.hubName));
    this.clientBindingProvider = () => ({ json: bindingJson });
  }

  /** Resumes what the task hub holds unfinished (after a restart or a crash), then runs. */
  async start(): Promise<void> {
    if (this.#drained) throw new Error('The durable engine was drained; create a new one to run again.');
    if (!this.#recovered) {
      this.#recovered = true;
      const resumed = this.#runner.recover();
      if (resumed > 0) this.#options.log('info', `durable engine: resumed ${resumed} unfinished orchestration instance(s) from the task hub`);
    }
    this.#activities.resume();
  }

  /**
   * Stops taking new work: no episode or activity starts, timers stop. Waits for running episodes and
   * activities, up to drainTimeoutMs. Everything is already in the task hub (each change commits as it
   * happens), so what was in flight resumes at the next start. State stays readable until close().
   */
  async drain(): Promise<void> {
    this.#drained = true;
    this.#timers.cancelAll();
    this.#activities.stop();
    const timeoutMs = this.#options.drainTimeoutMs ?? 10_000;
    const [episodesDone] = await Promise.all([this.#runner.drain(timeoutMs), this.#boundedWait(this.#activities.idle(), timeoutMs)]);
    if (!episodesDone) this.#options.log('warn', 'durable engine: some orchestrator episodes were still running when drain gave up');
  }

  /** Closes the task hub's database (after drain); results that arrive later are dropped and redone at the next start. */
  close(): void {
    this.#drained = true;
    this.#timers.cancelAll();
    this.#activities.stop();
    this.#store.close();
  }

  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    return this.#api.handle(req, res, url);
  }

  // ---- programmatic API (tests, benchmarks) ------------------------------------------------------

  /** Starts an orchestration without HTTP, with the same rules as the client API (409 on a live id). */
  startNew(name: string, options: { instanceId?: string; input?: unknown } = {}): StartResult {
    const request: StartRequest = { name, input: options.input === undefined ? null : JSON.stringify(options.input) };
    if (options.instanceId !== undefined) request.instanceId = options.instanceId;
    return this.#runner.start(request);
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    return this.#store.get(instanceId);
  }

  getStatus(instanceId: string, options?: StatusOptions): StatusPayload | undefined {
    const record = options?.showHistory ? this.#store.get(instanceId) : this.#store.summary(instanceId);
    return record ? statusPayload(record, options) : undefined;
  }

  listInstances(): InstanceRecord[] {
    return this.#store.all();
  }

  get residency(): DurableResidency {
    return { records: this.#store.liveRecords, executions: this.#runner.executions, stored: this.#store.size };
  }

  /** Resolves with the record once `predicate` holds; rejects after `timeoutMs` with the last status seen. */
  async waitForInstance(instanceId: string, predicate: (record: InstanceRecord) => boolean, timeoutMs: number): Promise<InstanceRecord> {
    const record = await this.#waitFor(instanceId, predicate, timeoutMs);
    if (record) return record;
    const status = this.#store.summary(instanceId)?.runtimeStatus ?? 'not found';
    throw new Error(`Instance '${instanceId}' did not reach the expected state within ${timeoutMs} ms (status: ${status}).`);
  }

  get counters(): DurableCounters {
    return { ...this.#runner.counters, activities: this.#activities.invocations, activityFailures: this.#activities.failures, activityRepeats: this.#activities.repeats };
  }

  #waitFor(instanceId: string, predicate: (record: InstanceRecord) => boolean, timeoutMs: number): Promise<InstanceRecord | undefined> {
    const now = this.#store.get(instanceId);
    if (now && predicate(now)) return Promise.resolve(now);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(undefined);
      }, timeoutMs);
      const unsubscribe = this.#runner.onChange((record) => {
        if (record.instanceId !== instanceId || !predicate(record)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(record);
      });
    });
  }

  async #boundedWait(work: Promise<void>, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
