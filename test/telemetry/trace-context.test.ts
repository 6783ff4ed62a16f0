import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toMessage } from '../../src/messaging/envelope';
import { messageTraceProperties, tracedPublisher, withTraceFields } from '../../src/telemetry/message-trace';
import { startTelemetry, stopTelemetry, telemetryMode } from '../../src/telemetry/setup';
import { tracer } from '../../src/telemetry/state';
import { formatTraceparent, parseTraceparent, validCarrier } from '../../src/telemetry/trace-context';
import { orderCreated } from '../messaging/events';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('traceparent', () => {
  it('parses a valid header into its fields and formats them back', () => {
    expect(parseTraceparent(VALID)).toEqual({ version: '00', traceId: TRACE_ID, spanId: SPAN_ID, flags: '01' });
    expect(parseTraceparent(` ${VALID} `)?.traceId).toBe(TRACE_ID);
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true })).toBe(VALID);
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: false })).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });

  it('accepts a later version with extra fields, as the spec asks', () => {
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-01-whatever`)?.version).toBe('01');
  });

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['garbage', '00-not-a-trace-01'],
    ['upper-case hex', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['forbidden version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['version 00 with an extra field', `${VALID}-extra`],
  ])('ignores an invalid header (%s)', (_case, header) => {
    expect(parseTraceparent(header)).toBeNull();
    expect(validCarrier(header, 'a=b')).toBeNull();
  });

  it('keeps a bounded tracestate with a valid traceparent and drops an oversized one', () => {
    expect(validCarrier(VALID, 'shop=1')).toEqual({ traceparent: VALID, tracestate: 'shop=1' });
    expect(validCarrier(VALID, `k=${'v'.repeat(600)}`)).toEqual({ traceparent: VALID });
  });
});

describe('with telemetry off', () => {
  it('adds nothing to messages or inputs', () => {
    expect(telemetryMode()).toBe('off');
    expect(messageTraceProperties()).toEqual({});
    expect(withTraceFields({ orderId: 'o-1' })).toEqual({ orderId: 'o-1' });
    expect(toMessage(orderCreated('orchestration')).applicationProperties).toEqual({
      orderId: 'order-1',
      eventType: 'OrderCreated',
      sagaStyle: 'orchestration',
    });
  });
});

describe('with telemetry on', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    startTelemetry({ spanExporter: exporter });
  });
  afterAll(async () => {
    await stopTelemetry();
  });

  it('puts the active span on every message as Diagnostic-Id and traceparent', () => {
    tracer().startActiveSpan('test', (span) => {
      const expected = formatTraceparent({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, sampled: true });
      expect(messageTraceProperties()).toEqual({ 'Diagnostic-Id': expected, traceparent: expected });
      expect(toMessage(orderCreated('choreography')).applicationProperties).toMatchObject({ 'Diagnostic-Id': expected, traceparent: expected });
      expect(withTraceFields({ orderId: 'o-1' })).toEqual({ orderId: 'o-1', traceparent: expected });
      span.end();
    });
  });

  it('publishes inside a producer span that the messages name as their parent', async () => {
    const sent: Array<Record<string, string>> = [];
    const publisher = tracedPublisher({
      publish: async (events) => {
        for (const event of events) sent.push(toMessage(event).applicationProperties);
      },
    });
    await publisher.publish([orderCreated('orchestration', 'o-9')]);
    const span = exporter.getFinishedSpans().find((finished) => finished.name === 'publish OrderCreated');
    expect(span?.attributes['petstore.orderId']).toBe('o-9');
    expect(sent[0]?.traceparent).toBe(formatTraceparent({ traceId: span!.spanContext().traceId, spanId: span!.spanContext().spanId, sampled: true }));
  });
});
