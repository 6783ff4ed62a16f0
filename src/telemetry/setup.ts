import { metrics, trace } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation, type HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { instrumentAzureSdk } from './azure-sdk';
import { setTelemetryState, telemetryState, TELEMETRY_NAME, type TelemetryMode, type TelemetryState } from './state';

export { telemetryEnabled, telemetryMode, type TelemetryMode } from './state';

export const APPLICATIONINSIGHTS_SETTING = 'APPLICATIONINSIGHTS_CONNECTION_STRING';
export const OTLP_ENDPOINT_SETTING = 'OTEL_EXPORTER_OTLP_ENDPOINT';

export interface TelemetryOptions {
  /** Spans go to this exporter as they end (a test's in-memory exporter); the settings are then not read. */
  spanExporter?: SpanExporter;
  metricReader?: MetricReader;
  env?: NodeJS.ProcessEnv;
}

/**
 * Sets tracing and metrics up once per process, as the settings say: Azure Monitor when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set, OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set, and
 * nothing at all otherwise (the API stays a no-op, no context manager, no propagation).
 */
export function startTelemetry(options: TelemetryOptions = {}): TelemetryMode {
  const current = telemetryState();
  if (current) return current.mode;
  const env = options.env ?? process.env;
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || TELEMETRY_NAME });

  let state: TelemetryState;
  if (options.spanExporter) {
    state = withSdk('exporter', resource, new SimpleSpanProcessor(options.spanExporter), options.metricReader);
  } else if (env[APPLICATIONINSIGHTS_SETTING]) {
    state = startAzureMonitor(env[APPLICATIONINSIGHTS_SETTING]);
  } else if (env[OTLP_ENDPOINT_SETTING]) {
    // The exporters read OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS, _TRACES_ENDPOINT, ...) themselves.
    const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: 15_000 });
    state = withSdk('otlp', resource, new BatchSpanProcessor(new OTLPTraceExporter()), reader);
  } else {
    state = { mode: 'off', flush: async () => {}, shutdown: async () => {} };
  }
  setTelemetryState(state);
  return state.mode;
}

/**
 * Sends the spans and metrics still buffered, for the end of the app. An exporter that cannot reach its
 * endpoint loses them; that must not fail the shutdown.
 */
export async function flushTelemetry(): Promise<void> {
  await telemetryState()?.flush().catch(() => undefined);
}

/** Flushes and stops the providers; a later startTelemetry sets them up again. */
export async function stopTelemetry(): Promise<void> {
  const state = telemetryState();
  setTelemetryState(undefined);
  await state?.shutdown().catch(() => undefined);
}

function withSdk(
  mode: TelemetryMode,
  resource: ReturnType<typeof resourceFromAttributes>,
  spanProcessor: SimpleSpanProcessor | BatchSpanProcessor,
  metricReader: MetricReader | undefined,
): TelemetryState {
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // register() also installs the AsyncLocalStorage context manager and the W3C trace-context propagator.
  tracerProvider.register();
  const meterProvider = new MeterProvider({ resource, readers: metricReader ? [metricReader] : [] });
  metrics.setGlobalMeterProvider(meterProvider);
  const azureSdk = instrumentAzureSdk();
  const http = instrumentHttpCalls();
  return {
    mode,
    flush: async () => {
      await Promise.allSettled([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
    },
    shutdown: async () => {
      azureSdk.disable();
      http.disable();
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      trace.disable();
      metrics.disable();
    },
  };
}

/**
 * The Cosmos DB SDK makes no spans of its own with key authentication (its request pipeline has no tracing
 * policy), so its calls are traced as the HTTP requests they are. Only calls made inside a span are traced,
 * and incoming requests are left to the invocation spans: the server here is the Functions host's (or the
 * embedded host's), not the app's.
 */
const HTTP_CALLS_ONLY: HttpInstrumentationConfig = { enabled: true, ignoreIncomingRequestHook: () => true, requireParentforOutgoingSpans: true };

function instrumentHttpCalls(): HttpInstrumentation {
  const http = new HttpInstrumentation(HTTP_CALLS_ONLY);
  registerInstrumentations({ instrumentations: [http] });
  return http;
}

function startAzureMonitor(connectionString: string): TelemetryState {
  // Loaded only when used: the distro pulls in many instrumentations the other modes do not need.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const monitor = require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
  monitor.useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    // As in the other modes, incoming requests get their span from the invocation, not from the server; the
    // distro hands this config to HttpInstrumentation as it is, though it declares the narrower type.
    instrumentationOptions: { azureSdk: { enabled: true }, http: HTTP_CALLS_ONLY },
  });
  // The distro patches @azure/core-tracing on require; the SDKs may have loaded it already.
  const azureSdk = instrumentAzureSdk();
  return {
    mode: 'azure-monitor',
    flush: async () => {
      const providers = [trace.getTracerProvider(), metrics.getMeterProvider()] as Array<{ forceFlush?: () => Promise<void> }>;
      await Promise.allSettled(providers.map((provider) => provider.forceFlush?.()));
    },
    shutdown: async () => {
      azureSdk.disable();
      await monitor.shutdownAzureMonitor();
    },
  };
}
