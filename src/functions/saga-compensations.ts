import type { InvocationContext } from '@azure/functions';
import { getAppServices, type AppServices } from '../app-services';
import type { CompensationName, SagaOrder } from '../domain';
import { loggedActivity, registerSagaActivity, type SagaActivityHandler } from '../orchestration/register-activity';
import type { CompensationOutcome } from '../services/ports';

export type SagaCompensationServices = Pick<AppServices, 'inventory' | 'payments' | 'fulfillment'>;

/** The compensations as activities: idempotent, `NothingToCompensate` when there was nothing to undo. */
export function sagaCompensationHandlers(
  getServices: () => Promise<SagaCompensationServices>,
): { [N in CompensationName]: SagaActivityHandler<N> } {
  return {
    ReleaseInventory: async (order, context) => logged('ReleaseInventory', order, context, (await getServices()).inventory.release(order)),
    RefundPayment: async (order, context) => logged('RefundPayment', order, context, (await getServices()).payments.refund(order)),
    CancelFulfillment: async (order, context) => logged('CancelFulfillment', order, context, (await getServices()).fulfillment.cancel(order)),
  };
}

function logged(name: CompensationName, order: SagaOrder, context: InvocationContext, work: Promise<CompensationOutcome>): Promise<CompensationOutcome> {
  return loggedActivity(name, order, context, work, (outcome) => `${name}: ${outcome}`);
}

const handlers = sagaCompensationHandlers(getAppServices);
registerSagaActivity('ReleaseInventory', handlers.ReleaseInventory);
registerSagaActivity('RefundPayment', handlers.RefundPayment);
registerSagaActivity('CancelFulfillment', handlers.CancelFulfillment);
