import { app, type FunctionHandler, type HttpRequest, type InvocationContext, type PreInvocationContext } from '@azure/functions';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { CHOREOGRAPHY_QUEUES } from '../messaging/queues';
import { recordStepLatency, type StepOutcome } from './saga-metrics';
import { withLogProperties } from './saga-log';
import { telemetryEnabled, tracer } from './state';
import { validCarrier, type TraceCarrier } from './trace-context';

type TriggerKind = 'http' | 'serviceBus' | 'activity' | 'orchestration' | 'other';

/**
 * One span per function invocation, the child of the trace the trigger brought: the `traceparent` header of
 * an HTTP request, the `traceparent`/`Diagnostic-Id` property of a Service Bus message, the `traceparent`
 * field of an activity's input, else the trace context the Functions host hands the worker. The orchestrator
 * gets none: Durable replays it from the start on every event, and its activities carry the trace instead.
 * With telemetry off there is no span, but the invocation's log lines still carry the saga's properties.
 */
export function registerInvocationSpans(): void {
  app.hook.preInvocation((hook: PreInvocationContext) => {
    const context = hook.invocationContext;
    const kind = triggerKindOf(context);
    if (kind === 'orchestration') return;
    const handler = hook.functionHandler;
    const inputs = hook.inputs;
    hook.functionHandler = ((...args: Parameters<FunctionHandler>) => {
      const run = () => handler(...args);
      if (!telemetryEnabled()) return runLogged(kind, context, inputs, run);
      const carrier = carrierOf(kind, inputs, context);
      const parent = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
      return tracer().startActiveSpan(spanName(kind, context, inputs), spanOptions(kind, context), parent, (span) =>
        runTraced(span, kind, context, inputs, run),
      );
    }) as FunctionHandler;
  });
}

async function runLogged(kind: TriggerKind, context: InvocationContext, inputs: unknown[], run: () => unknown): Promise<unknown> {
  const restoreLog = withLogProperties(context, logPropertiesOf(kind, context, inputs));
  try {
    return await run();
  } finally {
    restoreLog();
  }
}

async function runTraced(span: Span, kind: TriggerKind, context: InvocationContext, inputs: unknown[], run: () => unknown): Promise<unknown> {
  const started = performance.now();
  const properties = logPropertiesOf(kind, context, inputs);
  for (const [key, value] of Object.entries(properties)) if (value !== undefined) span.setAttribute(`petstore.${key}`, value);
  const restoreLog = withLogProperties(context, { ...properties, traceId: span.spanContext().traceId });
  let outcome: StepOutcome = 'succeeded';
  try {
    const result = await run();
    if (isBusinessFailure(result)) outcome = 'failed';
    const status = httpStatusOf(result);
    if (status !== undefined) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    return result;
  } catch (error) {
    outcome = 'error';
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    restoreLog();
    span.end();
    if (kind === 'activity' || kind === 'serviceBus') recordStepLatency(context.functionName, outcome, performance.now() - started);
  }
}

function triggerKindOf(context: InvocationContext): TriggerKind {
  switch (context.options.trigger.type.toLowerCase()) {
    case 'httptrigger':
      return 'http';
    case 'servicebustrigger':
      return 'serviceBus';
    case 'activitytrigger':
      return 'activity';
    case 'orchestrationtrigger':
    case 'entitytrigger':
      return 'orchestration';
    default:
      return 'other';
  }
}

function spanName(kind: TriggerKind, context: InvocationContext, inputs: unknown[]): string {
  const trigger = context.options.trigger;
  switch (kind) {
    case 'http': {
      const method = (inputs[0] as HttpRequest | undefined)?.method ?? 'HTTP';
      return `${method} /api/${String(trigger.route ?? context.functionName)}`;
    }
    case 'serviceBus':
      return `process ${String(trigger.queueName ?? trigger.topicName ?? context.functionName)}`;
    case 'activity':
      return `activity ${context.functionName}`;
    default:
      return context.functionName;
  }
}

function spanOptions(kind: TriggerKind, context: InvocationContext): { kind: SpanKind; attributes: Attributes } {
  const attributes: Attributes = { 'faas.name': context.functionName, 'faas.invocation_id': context.invocationId };
  switch (kind) {
    case 'http':
      return { kind: SpanKind.SERVER, attributes: { ...attributes, 'faas.trigger': 'http' } };
    case 'serviceBus':
      return {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...attributes,
          'faas.trigger': 'pubsub',
          'messaging.system': 'servicebus',
          'messaging.operation.type': 'process',
          'messaging.destination.name': String(context.options.trigger.queueName ?? ''),
        },
      };
    default:
      return { kind: SpanKind.INTERNAL, attributes };
  }
}

function carrierOf(kind: TriggerKind, inputs: unknown[], context: InvocationContext): TraceCarrier | null {
  const own = ownCarrier(kind, inputs, context);
  if (own) return own;
  return validCarrier(context.traceContext?.traceParent, context.traceContext?.traceState);
}

function ownCarrier(kind: TriggerKind, inputs: unknown[], context: InvocationContext): TraceCarrier | null {
  switch (kind) {
    case 'http': {
      const headers = (inputs[0] as HttpRequest | undefined)?.headers;
      return headers ? validCarrier(headers.get('traceparent'), headers.get('tracestate')) : null;
    }
    case 'serviceBus': {
      const properties = record(context.triggerMetadata?.applicationProperties);
      if (!properties) return null;
      return validCarrier(properties.traceparent ?? properties['Diagnostic-Id'], properties.tracestate);
    }
    case 'activity': {
      // A step's input is the order itself (orchestrator versions 1 and 2) or `{ order, sagaRecord }` (3 on).
      const input = record(inputs[0]);
      const carrier = input ? validCarrier(input.traceparent, input.tracestate) : null;
      const order = record(input?.order);
      return carrier ?? (order ? validCarrier(order.traceparent, order.tracestate) : null);
    }
    default:
      return null;
  }
}

/** The saga's identifiers as far as the trigger tells them, for span attributes and log properties. */
function logPropertiesOf(kind: TriggerKind, context: InvocationContext, inputs: unknown[]): Record<string, string | number | undefined> {
  if (kind === 'activity') {
    // The order itself (versions 1 and 2), `{ order, sagaRecord }` (3 on), or the SaveSagaState input.
    const input = record(inputs[0]);
    const order = record(input?.saga) ?? record(input?.order) ?? input;
    return {
      orderId: text(order?.orderId),
      sagaStyle: 'orchestration',
      step: context.functionName,
      correlationId: text(input?.correlationId) ?? text(order?.correlationId),
    };
  }
  if (kind === 'serviceBus') {
    const body = record(inputs[0]);
    const properties = record(context.triggerMetadata?.applicationProperties);
    const deliveryCount = context.triggerMetadata?.deliveryCount;
    return {
      orderId: text(body?.orderId) ?? text(properties?.orderId),
      sagaStyle: text(properties?.sagaStyle) ?? sagaStyleOfQueue(context.options.trigger.queueName),
      step: text(body?.type) ?? text(properties?.eventType),
      attempt: typeof deliveryCount === 'number' ? deliveryCount : undefined,
      correlationId: text(body?.correlationId) ?? text(context.triggerMetadata?.correlationId),
    };
  }
  return {};
}

function sagaStyleOfQueue(queue: unknown): string | undefined {
  return (CHOREOGRAPHY_QUEUES as readonly unknown[]).includes(queue) ? 'choreography' : undefined;
}

function isBusinessFailure(result: unknown): boolean {
  return record(result)?.ok === false;
}

function httpStatusOf(result: unknown): number | undefined {
  const status = record(result)?.status;
  return typeof status === 'number' ? status : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
