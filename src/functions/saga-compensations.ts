import type { InvocationContext } from '@azure/functions';
import { getAppServices, type AppServices } from '../app-services';
import type { CompensationName, SagaOrder } from '../domain';
import { loggedActivity, registerSagaActivity, type SagaActivityHandler } from '../orchestration/register-activity';
import { readStepInput, type StepInput } from '../orchestration/saga-activities';
import { saveSagaRecord } from '../orchestration/step-record';
import type { CompensationOutcome } from '../services/ports';

export type SagaCompensationServices = Pick<AppServices, 'inventory' | 'payments' | 'fulfillment' | 'sagaRecords'>;

/**
 * The compensations as activities: idempotent, `NothingToCompensate` when there was nothing to undo.
 * Given a saga record (version 3), the compensation saves it first, but runs whether or not the save worked,
 * as compensations always have: the record's next save (at the latest the final one) writes a newer snapshot.
 */
export function sagaCompensationHandlers(
  getServices: () => Promise<SagaCompensationServices>,
): { [N in CompensationName]: SagaActivityHandler<N> } {
  const run = async (
    name: CompensationName,
    input: StepInput,
    context: InvocationContext,
    act: (services: SagaCompensationServices, order: SagaOrder) => Promise<CompensationOutcome>,
  ): Promise<CompensationOutcome> => {
    const { order, sagaRecord } = readStepInput(input);
    const services = await getServices();
    if (sagaRecord) {
      await saveSagaRecord(services.sagaRecords, sagaRecord).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        context.warn(`[orderId=${order.orderId} correlationId=${order.correlationId}] Could not save the saga record before ${name}; compensating anyway: ${reason}`);
      });
    }
    return loggedActivity(name, order, context, act(services, order), (outcome) => `${name}: ${outcome}`);
  };
  return {
    ReleaseInventory: (input, context) => run('ReleaseInventory', input, context, (services, order) => services.inventory.release(order)),
    RefundPayment: (input, context) => run('RefundPayment', input, context, (services, order) => services.payments.refund(order)),
    CancelFulfillment: (input, context) => run('CancelFulfillment', input, context, (services, order) => services.fulfillment.cancel(order)),
  };
}

const handlers = sagaCompensationHandlers(getAppServices);
registerSagaActivity('ReleaseInventory', handlers.ReleaseInventory);
registerSagaActivity('RefundPayment', handlers.RefundPayment);
registerSagaActivity('CancelFulfillment', handlers.CancelFulfillment);
