/**
 * Imported for its effect by the app's entry modules (through app-services): sets telemetry up once per
 * process from the settings, gives every invocation its span (when telemetry is on) and its log
 * properties (always), and flushes what is buffered when the app stops.
 */
import { app } from '@azure/functions';
import { registerInvocationSpans } from './invocation-spans';
import { flushTelemetry, startTelemetry } from './setup';

startTelemetry();
registerInvocationSpans();
// The batch processors hold the last spans and metrics; the worker may exit right after this hook.
app.hook.appTerminate(() => flushTelemetry());
