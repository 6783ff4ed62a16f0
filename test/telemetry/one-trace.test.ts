import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DataPointType, MetricReader, type HistogramMetricData, type MetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHost } from '../../src/local-host/host';
import { startTelemetry, stopTelemetry } from '../../src/telemetry/setup';
import { captureLogs, waitFor } from '../local-host/helpers';
import { orderRequest, startApp } from '../e2e/orders';
import { ChoreographyClient, type SagaClient } from '../support/saga-client';

/*
 * One order, one trace: the embedded host runs the real functions, the Durable engine, the in-process
 * Service Bus broker and Cosmos DB, and every span goes to an in-memory exporter. The spans of an order must
 * form one tree: one trace id, one root, and every other span's parent among them.
 */
const LINES = [{ productId: 'dog-leash', quantity: 1 }];

/** Collects on demand, as a test wants it. */
class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const exporter = new InMemorySpanExporter();
const reader = new CollectingReader();
const logs = captureLogs();
let host: RunningHost;
let client: SagaClient;

beforeAll(async () => {
  expect(startTelemetry({ spanExporter: exporter, metricReader: reader })).toBe('exporter');
  ({ host, client } = await startApp(logs.sink));
});

afterAll(async () => {
  await host?.stop();
  await stopTelemetry();
});

function newTraceparent(): { traceparent: string; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceparent: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

function spansOf(traceId: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** Waits until the trace holds a span of every expected name and nothing new ends for a moment. */
async function settledTrace(traceId: string, expected: readonly string[]): Promise<ReadableSpan[]> {
  let lastCount = -1;
  return waitFor(
    () => {
      const spans = spansOf(traceId);
      const names = new Set(spans.map((span) => span.name));
      const complete = expected.every((name) => names.has(name));
      const settled = complete && spans.length === lastCount;
      lastCount = spans.length;
      return settled ? spans : null;
    },
    `the spans ${expected.join(', ')} in trace ${traceId}`,
    30_000,
    250,
  );
}

function byName(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}

function the(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = byName(spans, name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
}

/** One root (the POST, whose parent is the caller's span when there is one), and every other parent present. */
function expectOneTree(spans: readonly ReadableSpan[], callerSpanId: string | undefined): void {
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  const roots = spans.filter((span) => !ids.has(parentOf(span) ?? ''));
  expect(roots.map((span) => span.name)).toEqual(['POST /api/orders']);
  expect(parentOf(roots[0]!)).toBe(callerSpanId);
}

describe('one order is one trace', () => {
  it('orchestration: POST → publish → orders trigger → orchestration → every activity → Cosmos DB', async () => {
    const caller = newTraceparent();
    const accepted = await client.postOrder(orderRequest(LINES), { traceparent: caller.traceparent, tracestate: 'shop=1' });
    expect(accepted.status).toBe(202);
    const order = await client.finalOrder(accepted.body.id);
    expect(order.status).toBe('Completed');

    const activities = ['ReserveInventory', 'ProcessPayment', 'FulfillOrder', 'SaveSagaState'].map((name) => `activity ${name}`);
    const spans = await settledTrace(caller.traceId, [
      'POST /api/orders',
      'publish OrderCreated',
      'process orders',
      'orchestration orderSagaOrchestrator',
      ...activities,
    ]);
    expectOneTree(spans, caller.spanId);

    const post = the(spans, 'POST /api/orders');
    const publish = the(spans, 'publish OrderCreated');
    const trigger = the(spans, 'process orders');
    const orchestration = the(spans, 'orchestration orderSagaOrchestrator');
    expect(parentOf(publish)).toBe(post.spanContext().spanId);
    expect(parentOf(trigger)).toBe(publish.spanContext().spanId);
    expect(parentOf(orchestration)).toBe(trigger.spanContext().spanId);
    for (const name of activities) {
      const runs = byName(spans, name);
      expect(runs.length, name).toBeGreaterThan(0);
      for (const run of runs) expect(parentOf(run), name).toBe(orchestration.spanContext().spanId);
    }
    expect(the(spans, 'activity ReserveInventory').attributes).toMatchObject({ 'petstore.orderId': order.id, 'petstore.sagaStyle': 'orchestration' });
    // The tracestate the caller sent travels with the trace.
    expect(trigger.spanContext().traceState?.get('shop')).toBe('1');

    // The Cosmos DB calls are client spans, children of the activity that made them.
    const reserve = the(spans, 'activity ReserveInventory');
    const cosmosCalls = spans.filter((span) => parentOf(span) === reserve.spanContext().spanId);
    expect(cosmosCalls.length).toBeGreaterThan(0);
    for (const call of cosmosCalls) {
      expect(call.kind).toBe(SpanKind.CLIENT);
      expect(JSON.stringify(call.attributes)).toContain('/dbs/');
    }

    // The activity's log lines carry the order's properties, the trace id among them.
    const reserveLine = logs.lines.find((line) => line.includes(`orderId=${order.id}`) && line.includes('ReserveInventory succeeded'));
    expect(reserveLine).toBeDefined();
    const properties = JSON.parse(reserveLine!.slice(reserveLine!.lastIndexOf(' {') + 1)) as Record<string, unknown>;
    expect(properties).toEqual({
      orderId: order.id,
      sagaStyle: 'orchestration',
      step: 'ReserveInventory',
      correlationId: order.id,
      traceId: caller.traceId,
    });
  });

  it('choreography: POST → publish → each participant → the events it publishes, one chain', async () => {
    const choreography = new ChoreographyClient(host.url);
    // An invalid traceparent is ignored: the POST starts a new trace.
    const accepted = await choreography.postOrder(orderRequest(LINES), { traceparent: '00-not-a-trace-01' });
    expect(accepted.status).toBe(202);
    const order = await choreography.finalOrder(accepted.body.id);
    expect(order.status).toBe('Completed');

    const publish = await waitFor(
      () => exporter.getFinishedSpans().find((span) => span.name === 'publish OrderCreated' && span.attributes['petstore.orderId'] === order.id),
      'the OrderCreated publish span',
    );
    const traceId = publish.spanContext().traceId;
    const participants = ['inventory-events', 'payment-events', 'fulfillment-events', 'order-events'].map((queue) => `process ${queue}`);
    const spans = await settledTrace(traceId, ['POST /api/orders', 'publish OrderCreated', ...participants, 'publish OrderCompleted']);
    expectOneTree(spans, undefined);
    expect(parentOf(publish)).toBe(the(spans, 'POST /api/orders').spanContext().spanId);

    // Each participant's span hangs under the publish that sent its message, and those under participants.
    const publishIds = new Set(spans.filter((span) => span.name.startsWith('publish ')).map((span) => span.spanContext().spanId));
    for (const name of participants) {
      for (const run of byName(spans, name)) expect(publishIds.has(parentOf(run) ?? ''), name).toBe(true);
    }
    const participantIds = new Set(spans.filter((span) => span.name.startsWith('process ')).map((span) => span.spanContext().spanId));
    const chained = spans.filter((span) => span.name.startsWith('publish ') && span !== publish);
    expect(chained.length).toBeGreaterThan(0);
    for (const span of chained) expect(participantIds.has(parentOf(span) ?? ''), span.name).toBe(true);

    // A participant's log lines carry the delivery's attempt and the trace as properties.
    const recorded = logs.lines
      .filter((line) => line.includes(`"orderId":"${order.id}"`) && line.includes('[choreographyOrder]'))
      .map((line) => JSON.parse(line.slice(line.lastIndexOf(' {') + 1)) as Record<string, unknown>);
    expect(recorded.length).toBeGreaterThan(0);
    for (const properties of recorded) {
      expect(properties).toMatchObject({ orderId: order.id, sagaStyle: 'choreography', attempt: 1, traceId, correlationId: order.id });
      expect(properties.step).toEqual(expect.any(String));
    }
  });

  it('metrics: sagas started, completed and compensated by style, and each step timed with its outcome', async () => {
    const declined = await client.postOrder(orderRequest(LINES, { simulateFailure: 'payment' }));
    expect(declined.status).toBe(202);
    const final = await client.finalOrder(declined.body.id);
    expect(final.status).not.toBe('Completed');
    await waitFor(async () => (await client.saga(final.id)).status === 'Compensated', 'the saga to be compensated');

    const metrics = await waitFor(async () => {
      const collected = await collect();
      return counted(collected, 'saga.compensated', 'orchestration') === 1 ? collected : null;
    }, 'the compensated saga to be counted');
    // The two earlier tests placed one order of each style, both completed; this one was compensated.
    expect(counted(metrics, 'saga.started', 'orchestration')).toBe(2);
    expect(counted(metrics, 'saga.started', 'choreography')).toBe(1);
    expect(counted(metrics, 'saga.completed', 'orchestration')).toBe(1);
    expect(counted(metrics, 'saga.completed', 'choreography')).toBe(1);
    expect(counted(metrics, 'saga.compensation_failed', 'orchestration')).toBe(0);

    const steps = metrics.get('saga.step.duration') as HistogramMetricData | undefined;
    expect(steps?.dataPointType).toBe(DataPointType.HISTOGRAM);
    const timed = (steps?.dataPoints ?? []).map((point) => `${String(point.attributes['saga.step'])}:${String(point.attributes['saga.step.outcome'])}`);
    expect(timed).toEqual(expect.arrayContaining(['ReserveInventory:succeeded', 'ProcessPayment:failed', 'ReleaseInventory:succeeded', 'choreographyInventory:succeeded']));
  });
});

async function collect(): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  return new Map(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
}

function counted(metrics: Map<string, MetricData>, name: string, sagaStyle: string): number {
  const sum = metrics.get(name) as SumMetricData | undefined;
  return (sum?.dataPoints ?? []).filter((point) => point.attributes['saga.style'] === sagaStyle).reduce((total, point) => total + point.value, 0);
}
