export { messageTraceProperties, traceOrchestrationStart, tracedPublisher, withTraceFields } from './message-trace';
export { recordSagaFinished, recordSagaStarted } from './saga-metrics';
export { startTelemetry, stopTelemetry, telemetryMode, type TelemetryMode } from './setup';
export { formatTraceparent, parseTraceparent, validCarrier, type TraceCarrier } from './trace-context';
