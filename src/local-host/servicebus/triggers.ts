/**
 * Decides, per Service Bus trigger, where its messages come from: the real namespace when the trigger's
 * `connection` setting is present in the environment, otherwise the embedded broker.
 */
import type { FunctionInvoker, HostService, RegisteredFunction } from '../contracts';
import type { HostJson } from '../app-files';
import { parseDuration } from '../durations';
import { resolveSettingReferences } from '../env-scope';
import type { FaultInjector } from '../faults/fault-injector';
import type { HostLogger } from '../logger';
import { AzureServiceBusConsumer, namespaceConnection } from './azure-consumer';
import { subscriptionPath, type ServiceBusBroker } from './broker';
import { EmbeddedServiceBusConsumer } from './embedded-consumer';

export interface ServiceBusTriggerInfo {
  fn: RegisteredFunction;
  /** `queue` or `topic/subscriptions/name`. */
  entity: string;
  source: 'embedded' | 'azure';
  connection: string;
  service: HostService;
}

export function isServiceBusTrigger(fn: RegisteredFunction): boolean {
  return fn.trigger.type.toLowerCase() === 'servicebustrigger';
}

function setting(fn: RegisteredFunction, name: string): string | undefined {
  const value = fn.trigger[name];
  return typeof value === 'string' && value.trim() !== '' ? resolveSettingReferences(value.trim()) : undefined;
}

/** The Service Bus extension's default connection setting name. */
const defaultConnection = 'AzureWebJobsServiceBus';

export function connectionSettingOf(fn: RegisteredFunction): string {
  return setting(fn, 'connection') ?? defaultConnection;
}

export interface ServiceBusTriggerOptions {
  functions: RegisteredFunction[];
  broker: ServiceBusBroker;
  invoker: FunctionInvoker;
  logger: HostLogger;
  hostJson: HostJson;
  faults?: FaultInjector;
}

/** The Service Bus extension's default maxAutoLockRenewalDuration (00:05:00). */
const defaultLockRenewalMs = 5 * 60_000;

function lockRenewalMs(value: unknown): number {
  if (value === undefined || value === null) return defaultLockRenewalMs;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined || ms < 0) throw new Error(`host.json extensions.serviceBus.maxAutoLockRenewalDuration is not a duration: ${JSON.stringify(value)}`);
  return ms;
}

export function createServiceBusTriggers(options: ServiceBusTriggerOptions): ServiceBusTriggerInfo[] {
  const { broker, invoker, logger, hostJson } = options;
  const sbSettings = (hostJson.extensions?.serviceBus ?? {}) as Record<string, unknown>;
  const maxConcurrentCalls = positiveInt(sbSettings.maxConcurrentCalls, 16);
  const maxMessageBatchSize = positiveInt(sbSettings.maxMessageBatchSize, 1000);
  const maxAutoLockRenewalMs = lockRenewalMs(sbSettings.maxAutoLockRenewalDuration);
  return options.functions.filter(isServiceBusTrigger).map((fn) => {
    const queueName = setting(fn, 'queueName');
    const topicName = setting(fn, 'topicName');
    const subscriptionName = setting(fn, 'subscriptionName');
    if (!queueName && !(topicName && subscriptionName)) {
      throw new Error(`Service Bus trigger "${fn.name}" needs queueName, or topicName and subscriptionName.`);
    }
    const entity = queueName ?? subscriptionPath(topicName as string, subscriptionName as string);
    const connection = connectionSettingOf(fn);
    const namespace = namespaceConnection(connection);
    if (namespace) {
      const azureOptions = { ...namespace, fn, invoker, logger, maxConcurrentCalls };
      const service = new AzureServiceBusConsumer(queueName ? { ...azureOptions, queueName } : { ...azureOptions, topicName, subscriptionName });
      return { fn, entity, source: 'azure', connection, service };
    }
    const store = queueName ? broker.queueStore(queueName, fn.name) : broker.subscriptionStore(topicName as string, subscriptionName as string, fn.name);
    if (fn.trigger.isSessionsEnabled === true || store.settings.requiresSession) {
      logger.warn(`${store.path}: sessions are not emulated; messages arrive without per-session ordering or locks`, fn.name);
    }
    if (fn.trigger.autoCompleteMessages === false) {
      logger.warn('autoCompleteMessages=false is not emulated; messages are still completed on success', fn.name);
    }
    const service = new EmbeddedServiceBusConsumer({
      fn,
      store,
      invoker,
      logger,
      maxConcurrentCalls,
      maxMessageBatchSize,
      maxAutoLockRenewalMs,
      ...(options.faults ? { faults: options.faults } : {}),
    });
    return { fn, entity: store.path, source: 'embedded', connection, service };
  });
}

function positiveInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}
