import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { SagaOrder } from '../domain';
import type { ActivityInput, ActivityOutput, SagaActivityName } from './saga-activities';

export type SagaActivityHandler<N extends SagaActivityName> = (
  input: ActivityInput<N>,
  context: InvocationContext,
) => Promise<ActivityOutput<N>>;

/** Registers an activity under its saga name, with the handler typed from the activity map. */
export function registerSagaActivity<N extends SagaActivityName>(name: N, handler: SagaActivityHandler<N>): void {
  df.app.activity(name, {
    // The only caller is the orchestrator, whose calls are typed from the same map.
    handler: (input: unknown, context: InvocationContext) => handler(input as ActivityInput<N>, context),
  });
}

/**
 * Awaits an activity's work and logs, under the order's ids, the line `describe` gives for its result; a
 * thrown error is logged as the transient fault the orchestrator retries, and thrown again.
 */
export async function loggedActivity<T>(
  name: SagaActivityName,
  order: SagaOrder,
  context: InvocationContext,
  work: Promise<T>,
  describe: (result: T) => string,
): Promise<T> {
  const tag = `[orderId=${order.orderId} correlationId=${order.correlationId}]`;
  try {
    const result = await work;
    context.log(`${tag} ${describe(result)}`);
    return result;
  } catch (error) {
    context.warn(`${tag} ${name} threw; the orchestrator will retry: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}
