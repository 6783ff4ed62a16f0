import type { InvocationContext } from '@azure/functions';
import { getAppServices, type AppServices } from '../app-services';
import type { ForwardStepName, SagaOrder } from '../domain';
import { loggedActivity, registerSagaActivity, type SagaActivityHandler } from '../orchestration/register-activity';

export type SagaStepServices = Pick<AppServices, 'inventory' | 'payments' | 'fulfillment'>;

/**
 * The forward steps as activities. A business failure comes back as `{ok:false}` and is final; a thrown
 * error is a transient fault the orchestrator retries.
 */
export function sagaStepHandlers(getServices: () => Promise<SagaStepServices>): { [N in ForwardStepName]: SagaActivityHandler<N> } {
  return {
    ReserveInventory: async (order, context) => logged('ReserveInventory', order, context, (await getServices()).inventory.reserve(order)),
    ProcessPayment: async (order, context) => logged('ProcessPayment', order, context, (await getServices()).payments.charge(order)),
    FulfillOrder: async (order, context) => logged('FulfillOrder', order, context, (await getServices()).fulfillment.fulfil(order)),
  };
}

function logged<T extends { ok: boolean }>(step: ForwardStepName, order: SagaOrder, context: InvocationContext, work: Promise<T>): Promise<T> {
  return loggedActivity(step, order, context, work, (result) => `${step} ${result.ok ? 'succeeded' : 'failed (business rule)'}`);
}

const handlers = sagaStepHandlers(getAppServices);
registerSagaActivity('ReserveInventory', handlers.ReserveInventory);
registerSagaActivity('ProcessPayment', handlers.ProcessPayment);
registerSagaActivity('FulfillOrder', handlers.FulfillOrder);
