/**
 * Assembles the embedded host: one HTTP port, the app loaded through the fake core module, the Durable
 * engine, the Service Bus broker and consumers, timers and (unless configured otherwise) an in-memory
 * Cosmos DB. `startHost` returns a running host; `stop()` drains it and undoes every process-wide change.
 */
import path from 'node:path';
import type { HostClock, HostService, RegisteredFunction } from './contracts';
import { readLocalSettings, routePrefixOf, type HostJson } from './app-files';
import { clearAppFromRequireCache, loadApp, runAppTerminate } from './app-loader';
import { formatBanner } from './banner';
import { isVirtualClock, realClock } from './clock';
import { CoreRegistry, installCoreModule, uninstallCoreModule } from './core-module';
import { startEmbeddedCosmos, type EmbeddedCosmos } from './cosmos/embedded-cosmos';
import { DurableEngine, type DurableEngineOptions } from './durable/engine';
import { EnvScope, resolveSettingReferences } from './env-scope';
import { withCosmosFaults } from './faults/cosmos-faults';
import { FaultInjector } from './faults/fault-injector';
import { parseFaultPlan, readFaultPlanText, type FaultPlan, type FaultPlanInput } from './faults/fault-plan';
import { FaultsEndpoint } from './faults/faults-endpoint';
import { HostHttpServer } from './http-server';
import { HttpTriggerHandler } from './http-triggers';
import { Invoker } from './invoker';
import { createLogger, errorMessage, fromWorkerLevel, type HostLogger, type LogLevel, type LogSink } from './logger';
import { ServiceBusAdminEndpoint } from './servicebus/admin-endpoint';
import { ServiceBusBroker } from './servicebus/broker';
import { loadBrokerConfig } from './servicebus/config';
import { createServiceBusOutputHandler } from './servicebus/output-binding';
import { ServiceBusSendEndpoint } from './servicebus/send-endpoint';
import { createServiceBusTriggers, type ServiceBusTriggerInfo } from './servicebus/triggers';
import { HostStatsEndpoint } from './stats-endpoint';
import { isTimerTrigger, TimerTriggerService } from './timers/timer-trigger';
import { lockDataDir, type DataDirLock } from './storage/data-dir-lock';
import { inMemory, type StateLocation } from './storage/state-location';

export interface HostOptions {
  /** The Functions app folder (package.json, host.json). Default: the current directory. */
  appDir?: string;
  /** 0 picks a free port. Default: PORT, then local.settings.json Host.LocalHttpPort, then 7071. */
  port?: number;
  clock?: HostClock;
  /** Environment variables for this run; they win over the process environment and local.settings.json. */
  env?: Record<string, string>;
  logLevel?: LogLevel | 'silent';
  /** Same as logLevel 'silent'. */
  quiet?: boolean;
  logSink?: LogSink;
  /** The Service Bus emulator Config.json. Default: SERVICEBUS_EMULATOR_CONFIG, then <appDir>/servicebus/Config.json. */
  serviceBusConfig?: string;
  /**
   * Reject sends to entities that neither the config declares nor a trigger uses, as Service Bus does
   * (default: true; SERVICEBUS_STRICT=false creates them with a warning instead).
   */
  serviceBusStrict?: boolean;
  /** Upper bound for waiting on in-flight work at stop. */
  drainTimeoutMs?: number;
  /**
   * The fault plan (off when absent): `{ seed, rates: { activityRepeat, lockExpiry, ... } }`. Without it,
   * EMBEDDED_HOST_FAULTS (JSON, or the path of a JSON file) is read.
   */
  faults?: FaultPlanInput;
  /**
   * Where the host keeps Cosmos DB documents, broker queues and the task hub: `onDisk(dir)` survives a
   * restart (the CLI's default is `<appDir>/.data`); `inMemory` (the default here, for tests and benchmarks)
   * is gone when the host stops.
   */
  state?: StateLocation;
}

export interface RunningHost {
  /** e.g. http://127.0.0.1:7071 */
  readonly url: string;
  readonly port: number;
  readonly appDir: string;
  readonly functions: RegisteredFunction[];
  readonly broker: ServiceBusBroker;
  readonly durable: DurableEngine;
  readonly clock: HostClock;
  readonly invoker: Invoker;
  readonly cosmos: { mode: 'embedded' | 'real'; endpoint: string };
  readonly banner: string;
  readonly startupMs: number;
  /** The fault plan in force and its counts (never fires when no plan was given). */
  readonly faults: FaultInjector;
  /** Where the state lives. */
  readonly state: StateLocation;
  /** Drains and stops the host; safe to call more than once. */
  stop(): Promise<void>;
}

const defaultPort = 7071;
const defaultHubName = 'TestHubName';

function resolvePort(option: number | undefined, localHttpPort: unknown): number {
  if (option !== undefined) return option;
  for (const candidate of [process.env.PORT, localHttpPort]) {
    if (candidate === undefined || candidate === null || candidate === '') continue;
    const n = Number(candidate);
    if (Number.isInteger(n) && n >= 0 && n < 65536) return n;
    throw new Error(`The port "${String(candidate)}" is not a valid TCP port.`);
  }
  return defaultPort;
}

function withTimeout(promise: Promise<unknown>, ms: number, what: string, logger: HostLogger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      logger.warn(`${what} did not finish within ${ms} ms; stopping anyway`);
      resolve();
    }, ms);
  });
  const settled = promise.then(
    () => undefined,
    (err: unknown) => logger.error(`${what} failed: ${errorMessage(err)}`),
  );
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Durable settings from host.json `extensions.durableTask`, with the extension's defaults. */
function durableOptionsFor(hostJson: HostJson, base: Omit<DurableEngineOptions, 'hubName'>): DurableEngineOptions {
  const durableTask = hostJson.extensions?.durableTask ?? {};
  const configured = typeof durableTask.hubName === 'string' && durableTask.hubName ? resolveSettingReferences(durableTask.hubName) : '';
  // A `%Setting%` that is not set (host.json says %TASKHUB_NAME% for Azure) leaves the in-memory hub its default name.
  const hubName = configured && !/%[^%]+%/.test(configured) ? configured : defaultHubName;
  const options: DurableEngineOptions = { ...base, hubName };
  const maxActivities = positiveInt(durableTask.maxConcurrentActivityFunctions);
  if (maxActivities) options.maxConcurrentActivities = maxActivities;
  const maxOrchestrations = positiveInt(durableTask.maxConcurrentOrchestratorFunctions);
  if (maxOrchestrations) options.maxConcurrentOrchestrations = maxOrchestrations;
  return options;
}

/** The plan from HostOptions, else from EMBEDDED_HOST_FAULTS; undefined when neither is set. */
function resolveFaultPlan(option: FaultPlanInput | undefined): FaultPlan | undefined {
  if (option !== undefined) return parseFaultPlan(option, 'fault plan (HostOptions.faults)');
  const fromEnv = process.env.EMBEDDED_HOST_FAULTS;
  if (fromEnv === undefined || fromEnv.trim() === '') return undefined;
  return readFaultPlanText(fromEnv, 'fault plan in EMBEDDED_HOST_FAULTS');
}

export async function startHost(options: HostOptions = {}): Promise<RunningHost> {
  const started = performance.now();
  const appDir = path.resolve(options.appDir ?? process.cwd());
  const logger = createLogger({ level: options.quiet ? 'silent' : (options.logLevel ?? 'info'), ...(options.logSink ? { sink: options.logSink } : {}) });
  const clock = options.clock ?? realClock;
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const state = options.state ?? inMemory;
  let dataDirLock: DataDirLock | undefined;
  const env = new EnvScope();
  const server = new HostHttpServer(logger);
  const registry = new CoreRegistry((level, category, message) => {
    const hostLevel = fromWorkerLevel(level);
    if (hostLevel) logger.log(category === 'system' && hostLevel === 'info' ? 'debug' : hostLevel, message, 'worker');
  });
  let cosmos: EmbeddedCosmos | undefined;
  let broker: ServiceBusBroker | undefined;
  let durableEngine: DurableEngine | undefined;
  const startedServices: HostService[] = [];

  const undo = async (): Promise<void> => {
    await server.close();
    await broker?.close();
    durableEngine?.close();
    await cosmos?.close();
    dataDirLock?.release();
    uninstallCoreModule(registry);
    clearAppFromRequireCache(appDir);
    env.restore();
  };

  try {
    for (const [name, value] of Object.entries(options.env ?? {})) env.set(name, value, true);
    const localSettings = readLocalSettings(appDir);
    for (const [name, value] of Object.entries(localSettings.Values ?? {})) {
      if (value !== undefined && value !== null) env.set(name, String(value));
    }
    const faults = new FaultInjector(resolveFaultPlan(options.faults));
    const faultPlan = faults.plan;
    // Claim the core module first, so a second concurrent host fails before it binds anything.
    installCoreModule(registry);
    dataDirLock = lockDataDir(state);

    const port = await server.listen(resolvePort(options.port, localSettings.Host?.LocalHttpPort));
    const url = `http://127.0.0.1:${port}`;

    let cosmosInfo: RunningHost['cosmos'];
    if (process.env.COSMOS_ENDPOINT) {
      cosmosInfo = { mode: 'real', endpoint: process.env.COSMOS_ENDPOINT };
    } else {
      cosmos = await startEmbeddedCosmos({
        state,
        ...(faultPlan ? { wrapHandler: withCosmosFaults(faults, { timeoutMs: faultPlan.cosmosTimeoutMs, retryAfterMs: faultPlan.cosmosRetryAfterMs }) } : {}),
      });
      env.set('COSMOS_ENDPOINT', cosmos.endpoint, true);
      env.set('COSMOS_KEY', cosmos.key);
      cosmosInfo = { mode: 'embedded', endpoint: cosmos.endpoint };
    }
    // The Durable client builds its management URLs from this; it must name this host's port.
    env.set('WEBSITE_HOSTNAME', `127.0.0.1:${port}`, true);
    // The connection setting a trigger uses is only known after loading, so the embedded endpoint is always
    // advertised; an app publishes there when its own Service Bus connection setting is absent.
    env.set('EMBEDDED_SERVICEBUS_URL', `${url}/servicebus`, true);

    const configFile = path.resolve(appDir, options.serviceBusConfig ?? process.env.SERVICEBUS_EMULATOR_CONFIG ?? path.join('servicebus', 'Config.json'));
    const brokerConfig = loadBrokerConfig(configFile);
    broker = new ServiceBusBroker({
      config: brokerConfig,
      clock,
      logger,
      strict: options.serviceBusStrict ?? process.env.SERVICEBUS_STRICT !== 'false',
      faults,
      state,
    });

    const app = await loadApp(appDir, registry);
    const invoker = new Invoker(registry, logger);
    invoker.registerOutputHandler('serviceBus', createServiceBusOutputHandler(broker));

    const durableOptions = durableOptionsFor(app.hostJson, {
      functions: app.functions,
      invoker,
      clock,
      origin: url,
      log: (level, message) => logger.log(level, message, 'durable'),
      drainTimeoutMs,
      faults,
      state,
    });
    const hubName = durableOptions.hubName;
    const durable = new DurableEngine(durableOptions);
    durableEngine = durable;
    invoker.registerInputProvider('durableClient', durable.clientBindingProvider);
    invoker.registerInputProvider('orchestrationClient', durable.clientBindingProvider);

    const httpTriggers = new HttpTriggerHandler(app.functions, routePrefixOf(app.hostJson), invoker, logger);
    const embeddedCosmos = cosmos;
    const stats = new HostStatsEndpoint({
      cosmos: { ...cosmosInfo, requests: () => embeddedCosmos?.requests ?? null },
      broker,
      durable,
      invocations: () => invoker.started,
      faults,
    });
    server.setHandlers(
      [durable, new ServiceBusSendEndpoint(broker), new ServiceBusAdminEndpoint(broker), stats, new FaultsEndpoint(faults), httpTriggers],
      { intake: [httpTriggers] },
    );

    const serviceBusTriggers: ServiceBusTriggerInfo[] = createServiceBusTriggers({ functions: app.functions, broker, invoker, logger, hostJson: app.hostJson, faults });
    const timers = app.functions.filter(isTimerTrigger).map((fn) => ({ fn, service: new TimerTriggerService({ fn, invoker, clock, logger }) }));

    if (isVirtualClock(clock)) clock.setIdleProbe(() => invoker.inFlight === 0 && server.inFlight === 0);

    const consumers: HostService[] = serviceBusTriggers.map((t) => t.service);
    for (const service of [durable, ...consumers, ...timers.map((t) => t.service)]) {
      await service.start();
      startedServices.push(service);
    }

    const startupMs = performance.now() - started;
    const banner = formatBanner({
      appDir,
      url,
      functions: app.functions,
      httpRoutes: httpTriggers.routes,
      serviceBus: serviceBusTriggers,
      timers: timers.map((t) => ({ fn: t.fn, schedule: t.service.schedule.expression, runOnStartup: t.service.runOnStartup })),
      cosmos: cosmosInfo,
      ...(brokerConfig.source ? { serviceBusConfig: path.relative(appDir, brokerConfig.source) || brokerConfig.source } : {}),
      durableHubName: hubName,
      startupMs,
      ...(faultPlan ? { faults: faultPlan } : {}),
      state: { location: state },
    });
    logger.print(banner);

    const liveBroker = broker;
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        logger.info('stopping: draining HTTP, messages, timers and durable work');
        // Stop every intake at once (HTTP, messages, timers), then wait for what is already running.
        await withTimeout(
          Promise.all([server.drain(drainTimeoutMs), ...[...consumers, ...timers.map((t) => t.service)].map((s) => s.drain())]),
          drainTimeoutMs,
          'HTTP, Service Bus and timer drain',
          logger,
        );
        await withTimeout(durable.drain(), drainTimeoutMs, 'Durable drain', logger);
        await withTimeout(invoker.whenIdle(), drainTimeoutMs, 'in-flight invocations', logger);
        await withTimeout(runAppTerminate(registry), drainTimeoutMs, 'appTerminate hooks', logger);
        await undo();
        logger.info('stopped');
      })();
      return stopping;
    };

    return {
      url,
      port,
      appDir,
      functions: app.functions,
      broker: liveBroker,
      durable,
      clock,
      invoker,
      cosmos: cosmosInfo,
      banner,
      startupMs,
      faults,
      state,
      stop,
    };
  } catch (err) {
    // A failed start leaves nothing running: services that did start are drained before everything is undone.
    await Promise.allSettled(startedServices.map((s) => withTimeout(s.drain(), drainTimeoutMs, 'drain after a failed start', logger)));
    await runAppTerminate(registry).catch(() => undefined);
    await undo().catch(() => undefined);
    throw err;
  }
}
