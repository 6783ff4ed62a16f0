/**
 * Entities from the Service Bus emulator's Config.json (the file docker-compose mounts), so the embedded
 * broker and the emulator agree on queues, subscriptions, filters and delivery limits.
 */
import fs from 'node:fs';
import { parseIsoDuration } from '../durations';

export interface EntitySettings {
  maxDeliveryCount: number;
  lockDurationMs: number;
  defaultTtlMs: number;
  deadLetteringOnMessageExpiration: boolean;
  requiresSession: boolean;
  forwardTo?: string;
  forwardDeadLetteredMessagesTo?: string;
}

export interface DuplicateDetection {
  enabled: boolean;
  windowMs: number;
}

export interface CorrelationFilterConfig {
  contentType?: string;
  correlationId?: string;
  label?: string;
  messageId?: string;
  replyTo?: string;
  replyToSessionId?: string;
  sessionId?: string;
  to?: string;
  properties?: Record<string, unknown>;
}

export interface RuleConfig {
  name: string;
  filterType: 'Correlation' | 'Sql';
  correlation?: CorrelationFilterConfig;
  sqlExpression?: string;
  actionSqlExpression?: string;
}

export interface QueueConfig {
  name: string;
  settings: EntitySettings;
  duplicateDetection: DuplicateDetection;
}

export interface SubscriptionConfig {
  name: string;
  settings: EntitySettings;
  rules: RuleConfig[];
}

export interface TopicConfig {
  name: string;
  defaultTtlMs: number;
  duplicateDetection: DuplicateDetection;
  subscriptions: SubscriptionConfig[];
}

export interface BrokerConfig {
  queues: QueueConfig[];
  topics: TopicConfig[];
  /** Where it came from, for messages; undefined when no file was found. */
  source?: string;
}

/** Emulator defaults for declared entities (Config-schema.json). */
const declaredDefaults: EntitySettings = {
  maxDeliveryCount: 3,
  lockDurationMs: 60_000,
  defaultTtlMs: 3_600_000,
  deadLetteringOnMessageExpiration: false,
  requiresSession: false,
};

/** Azure Service Bus defaults, for entities used by the app but not declared in the file. */
export const undeclaredDefaults: EntitySettings = { ...declaredDefaults, maxDeliveryCount: 10 };
export const defaultDuplicateDetection: DuplicateDetection = { enabled: false, windowMs: 20_000 };

type Json = Record<string, unknown>;

function obj(value: unknown, where: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where} must be an object`);
  return value as Json;
}

function arr(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${where} must be an array`);
  return value;
}

function str(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`${where} must be a string`);
  return value;
}

function requiredName(value: Json, where: string): string {
  const name = str(value.Name, `${where}.Name`);
  if (!name) throw new Error(`${where}.Name is required`);
  return name;
}

function duration(value: unknown, fallback: number, where: string): number {
  const text = str(value, where);
  if (text === undefined) return fallback;
  const ms = parseIsoDuration(text);
  if (ms === undefined) throw new Error(`${where} is not an ISO 8601 duration: "${text}"`);
  return ms;
}

function bool(value: unknown, fallback: boolean, where: string): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new Error(`${where} must be true or false`);
  return value;
}

function entitySettings(props: Json, where: string): EntitySettings {
  const maxDeliveryCount = props.MaxDeliveryCount ?? declaredDefaults.maxDeliveryCount;
  if (typeof maxDeliveryCount !== 'number' || !Number.isInteger(maxDeliveryCount) || maxDeliveryCount < 1) {
    throw new Error(`${where}.MaxDeliveryCount must be a positive integer`);
  }
  const settings: EntitySettings = {
    maxDeliveryCount,
    lockDurationMs: duration(props.LockDuration, declaredDefaults.lockDurationMs, `${where}.LockDuration`),
    defaultTtlMs: duration(props.DefaultMessageTimeToLive, declaredDefaults.defaultTtlMs, `${where}.DefaultMessageTimeToLive`),
    deadLetteringOnMessageExpiration: bool(props.DeadLetteringOnMessageExpiration, false, `${where}.DeadLetteringOnMessageExpiration`),
    requiresSession: bool(props.RequiresSession, false, `${where}.RequiresSession`),
  };
  const forwardTo = str(props.ForwardTo, `${where}.ForwardTo`);
  if (forwardTo) settings.forwardTo = forwardTo;
  const forwardDl = str(props.ForwardDeadLetteredMessagesTo, `${where}.ForwardDeadLetteredMessagesTo`);
  if (forwardDl) settings.forwardDeadLetteredMessagesTo = forwardDl;
  return settings;
}

function duplicateDetection(props: Json, where: string): DuplicateDetection {
  return {
    enabled: bool(props.RequiresDuplicateDetection, false, `${where}.RequiresDuplicateDetection`),
    windowMs: duration(props.DuplicateDetectionHistoryTimeWindow, defaultDuplicateDetection.windowMs, `${where}.DuplicateDetectionHistoryTimeWindow`),
  };
}

function correlationFilter(value: Json, where: string): CorrelationFilterConfig {
  const filter: CorrelationFilterConfig = {};
  const fields: Array<[keyof Omit<CorrelationFilterConfig, 'properties'>, string]> = [
    ['contentType', 'ContentType'],
    ['correlationId', 'CorrelationId'],
    ['label', 'Label'],
    ['messageId', 'MessageId'],
    ['replyTo', 'ReplyTo'],
    ['replyToSessionId', 'ReplyToSessionId'],
    ['sessionId', 'SessionId'],
    ['to', 'To'],
  ];
  for (const [key, json] of fields) {
    const v = str(value[json], `${where}.${json}`);
    if (v !== undefined) filter[key] = v;
  }
  if (value.Properties !== undefined) filter.properties = obj(value.Properties, `${where}.Properties`);
  return filter;
}

function rule(value: Json, where: string): RuleConfig {
  const name = str(value.Name, `${where}.Name`) ?? '$Default';
  const props = obj(value.Properties, `${where}.Properties`);
  const filterType = str(props.FilterType, `${where}.Properties.FilterType`) ?? 'Correlation';
  if (filterType !== 'Correlation' && filterType !== 'Sql') {
    throw new Error(`${where}.Properties.FilterType must be "Correlation" or "Sql"`);
  }
  const result: RuleConfig = { name, filterType };
  if (filterType === 'Correlation') {
    result.correlation = correlationFilter(obj(props.CorrelationFilter, `${where}.Properties.CorrelationFilter`), `${where}.Properties.CorrelationFilter`);
  } else {
    result.sqlExpression = str(obj(props.SqlFilter, `${where}.SqlFilter`).SqlExpression, `${where}.Properties.SqlFilter.SqlExpression`) ?? '1=1';
  }
  const action = str(obj(props.Action, `${where}.Properties.Action`).SqlExpression, `${where}.Properties.Action.SqlExpression`);
  if (action) result.actionSqlExpression = action;
  return result;
}

/** Parses the emulator's Config.json text. Throws with the path of the offending setting. */
export function parseBrokerConfig(text: string, source?: string): BrokerConfig {
  let root: Json;
  try {
    root = obj(JSON.parse(text.replace(/^\uFEFF/, '')), 'Config.json');
  } catch (err) {
    throw new Error(`Service Bus config${source ? ` ${source}` : ''}: ${(err as Error).message}`);
  }
  const namespaces = arr(obj(root.UserConfig, 'UserConfig').Namespaces, 'UserConfig.Namespaces');
  const config: BrokerConfig = { queues: [], topics: [] };
  if (source) config.source = source;
  namespaces.forEach((nsValue, n) => {
    const ns = obj(nsValue, `Namespaces[${n}]`);
    arr(ns.Queues, `Namespaces[${n}].Queues`).forEach((qValue, i) => {
      const where = `Queues[${i}]`;
      const q = obj(qValue, where);
      const props = obj(q.Properties, `${where}.Properties`);
      config.queues.push({ name: requiredName(q, where), settings: entitySettings(props, where), duplicateDetection: duplicateDetection(props, where) });
    });
    arr(ns.Topics, `Namespaces[${n}].Topics`).forEach((tValue, i) => {
      const where = `Topics[${i}]`;
      const t = obj(tValue, where);
      const props = obj(t.Properties, `${where}.Properties`);
      const topic: TopicConfig = {
        name: requiredName(t, where),
        defaultTtlMs: duration(props.DefaultMessageTimeToLive, declaredDefaults.defaultTtlMs, `${where}.DefaultMessageTimeToLive`),
        duplicateDetection: duplicateDetection(props, where),
        subscriptions: [],
      };
      arr(t.Subscriptions, `${where}.Subscriptions`).forEach((sValue, j) => {
        const sWhere = `${where}.Subscriptions[${j}]`;
        const s = obj(sValue, sWhere);
        topic.subscriptions.push({
          name: requiredName(s, sWhere),
          settings: entitySettings(obj(s.Properties, `${sWhere}.Properties`), sWhere),
          rules: arr(s.Rules, `${sWhere}.Rules`).map((r, k) => rule(obj(r, `${sWhere}.Rules[${k}]`), `${sWhere}.Rules[${k}]`)),
        });
      });
      config.topics.push(topic);
    });
  });
  return config;
}

/** Reads the config file if it exists; an absent file gives an empty config (every entity undeclared). */
export function loadBrokerConfig(file: string): BrokerConfig {
  if (!fs.existsSync(file)) return { queues: [], topics: [] };
  try {
    return parseBrokerConfig(fs.readFileSync(file, 'utf8'), file);
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(message.startsWith('Service Bus config') ? message : `Service Bus config ${file}: ${message}`);
  }
}
