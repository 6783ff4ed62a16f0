import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
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
