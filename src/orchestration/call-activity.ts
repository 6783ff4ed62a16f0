import type { DurableOrchestrationContext, Task } from 'durable-functions';
import type { ActivityInput, ActivityOutput, SagaActivityName } from './saga-activities';

/**
 * Calls a saga activity from the orchestrator (`yield* callActivity(...)`). Durable Functions hands back the
 * activity's JSON result untyped; the activity registration is typed from the same map, so the cast holds.
 */
export function* callActivity<N extends SagaActivityName>(
  df: DurableOrchestrationContext,
  name: N,
  input: ActivityInput<N>,
): Generator<Task, ActivityOutput<N>, unknown> {
  const output: unknown = yield df.callActivity(name, input);
  return output as ActivityOutput<N>;
}
