import * as coreTracing from '@azure/core-tracing';
import { createAzureSdkInstrumentation } from '@azure/opentelemetry-instrumentation-azure-sdk';

interface ModuleDefinition {
  name: string;
  patch?: (moduleExports: unknown, version?: string) => unknown;
}

/**
 * Makes the Azure SDKs (@azure/cosmos, @azure/service-bus) report their calls as OpenTelemetry spans,
 * children of whatever span is active. The instrumentation package does it when @azure/core-tracing is
 * required; the app's SDKs have usually required it already, so the package's patch is also applied to the
 * loaded module. Once the OpenTelemetry API is disabled the patched instrumenter makes no-op spans.
 */
export function instrumentAzureSdk(): { disable(): void } {
  const instrumentation = createAzureSdkInstrumentation();
  // init() is the package's own module definition: it sets its OpenTelemetry instrumenter on core-tracing.
  const definitions = [(instrumentation as unknown as { init(): ModuleDefinition | ModuleDefinition[] }).init()].flat();
  for (const definition of definitions) {
    if (definition.name === '@azure/core-tracing') definition.patch?.(coreTracing, '1.0.0');
  }
  return { disable: () => instrumentation.disable() };
}
