import { trace, type Tracer } from '@opentelemetry/api';

/*
 * What the rest of the app asks of telemetry (is it on, which tracer), free of the SDK packages so that
 * the domain, messaging and service modules that record spans and metrics stay light to load.
 */
export const TELEMETRY_NAME = 'petstore-saga';

export type TelemetryMode = 'azure-monitor' | 'otlp' | 'exporter' | 'off';

export interface TelemetryState {
  mode: TelemetryMode;
  /** Sends what is buffered; the providers stay up. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/*
 * The embedded host loads the app's modules afresh for every host it starts in a process, but tracer and meter
 * providers are process-wide: the state lives on globalThis so that a reload does not register them twice.
 */
const STATE = Symbol.for('petstore-saga.telemetry');
type TelemetryGlobal = typeof globalThis & { [STATE]?: TelemetryState };

export function telemetryState(): TelemetryState | undefined {
  return (globalThis as TelemetryGlobal)[STATE];
}

export function setTelemetryState(state: TelemetryState | undefined): void {
  if (state) (globalThis as TelemetryGlobal)[STATE] = state;
  else delete (globalThis as TelemetryGlobal)[STATE];
}

export function telemetryMode(): TelemetryMode {
  return telemetryState()?.mode ?? 'off';
}

export function telemetryEnabled(): boolean {
  return telemetryMode() !== 'off';
}

export function tracer(): Tracer {
  return trace.getTracer(TELEMETRY_NAME);
}
