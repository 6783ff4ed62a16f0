/** Durable Functions' own test entry point; the package ships it without type declarations. */
declare module 'durable-functions/lib/src/util/testingUtils' {
  import type { InvocationContext } from '@azure/functions';
  import type { OrchestrationHandler } from 'durable-functions';

  export function createOrchestrator(
    handler: OrchestrationHandler,
  ): (orchestrationTrigger: unknown, context: InvocationContext) => Promise<unknown>;
}
