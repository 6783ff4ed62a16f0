/**
 * Imported for its effect by the app's entry modules (through app-services): sets telemetry up once per
 * process from the settings, and gives every invocation its span (when telemetry is on) and its log
 * properties (always).
 */
import { registerInvocationSpans } from './invocation-spans';
import { startTelemetry } from './setup';

startTelemetry();
registerInvocationSpans();
