import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { AnySagaEvent } from '../domain';
import type { EventPublisher } from '../services/ports';
import { telemetryEnabled, tracer } from './state';
import type { TraceCarrier } from './trace-context';

export type { TraceCarrier } from './trace-context';

/** The active trace as a carrier, or an empty one when tracing is off (the propagator is then a no-op). */
export function currentTraceCarrier(): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * The application properties that carry the active trace on a Service Bus message: `Diagnostic-Id`, which
 * the Azure SDKs and the Functions host read as the message's parent, and `traceparent`/`tracestate`,
 * which the app's own triggers read first. Empty when there is no trace.
 */
export function messageTraceProperties(): Record<string, string> {
  const { traceparent, tracestate } = currentTraceCarrier();
  if (!traceparent) return {};
  return { 'Diagnostic-Id': traceparent, traceparent, ...(tracestate ? { tracestate } : {}) };
}

/** `value` with the active trace added as `traceparent`/`tracestate` fields (for a Durable input). */
export function withTraceFields<T extends object>(value: T): T & TraceCarrier {
  const carrier = currentTraceCarrier();
  return carrier.traceparent ? { ...value, ...carrier } : value;
}

/**
 * A publisher whose every publish is one producer span, active while the messages are built, so each
 * message carries that span as its parent.
 */
export function tracedPublisher<P extends EventPublisher>(publisher: P): P {
  if (!telemetryEnabled()) return publisher;
  const traced = Object.create(publisher) as P;
  traced.publish = (events: readonly AnySagaEvent[]) => {
    const types = [...new Set(events.map((event) => event.type))].join(' ');
    return tracer().startActiveSpan(
      `publish ${types}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'servicebus',
          'messaging.operation.type': 'send',
          'messaging.batch.message_count': events.length,
          'petstore.orderId': [...new Set(events.map((event) => event.orderId))].join(' '),
        },
      },
      async (span) => {
        try {
          await publisher.publish(events);
        } catch (error) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  };
  return traced;
}

/**
 * Starts an orchestration inside a producer span and hands the orchestrator that span as the trace to
 * carry: the orchestrator passes its input to every activity, whose spans become this span's children.
 * The orchestrator itself makes no span, since Durable replays it from the start on every event.
 */
export function traceOrchestrationStart<I extends object, R>(name: string, input: I, start: (input: I & TraceCarrier) => Promise<R>): Promise<R> {
  if (!telemetryEnabled()) return start(input);
  return tracer().startActiveSpan(`orchestration ${name}`, { kind: SpanKind.PRODUCER, attributes: { 'durable.orchestration': name } }, async (span) => {
    try {
      return await start(withTraceFields(input));
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Only the trace fields of a value that may carry them (an orchestrator's input), for passing on. */
export function carriedTrace(value: TraceCarrier): TraceCarrier {
  const carrier: TraceCarrier = {};
  if (typeof value.traceparent === 'string') carrier.traceparent = value.traceparent;
  if (typeof value.tracestate === 'string') carrier.tracestate = value.tracestate;
  return carrier;
}
