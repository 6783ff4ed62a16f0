import type { InvocationContext } from '@azure/functions';
import { getAppServices, type AppServices } from '../app-services';
import type { ForwardStepName, SagaOrder } from '../domain';
import { loggedActivity, registerSagaActivity, type SagaActivityHandler } from '../orchestration/register-activity';
import { readStepInput, type StepInput } from '../orchestration/saga-activities';
import { saveSagaRecord } from '../orchestration/step-record';

export type SagaStepServices = Pick<AppServices, 'inventory' | 'payments' | 'fulfillment' | 'sagaRecords'>;

/**
 * The forward steps as activities. A business failure comes back as `{ok:false}` and is final; a thrown
 * error is a transient fault the orchestrator retries.
 * Given a saga record (version 3), the step saves it before it acts, and does not act when the save fails:
 * the attempt then fails like any other, and a step is never run unrecorded.
 */
export function sagaStepHandlers(getServices: () => Promise<SagaStepServices>): { [N in ForwardStepName]: SagaActivityHandler<N> } {
  const run = async <T extends { ok: boolean }>(
    step: ForwardStepName,
    input: StepInput,
    context: InvocationContext,
    act: (services: SagaStepServices, order: SagaOrder) => Promise<T>,
  ): Promise<T> => {
    const { order, sagaRecord } = readStepInput(input);
    const services = await getServices();
    const work = (async () => {
      if (sagaRecord) await saveSagaRecord(services.sagaRecords, sagaRecord);
      return act(services, order);
    })();
    return loggedActivity(step, order, context, work, (result) => `${step} ${result.ok ? 'succeeded' : 'failed (business rule)'}`);
  };
  return {
    ReserveInventory: (input, context) => run('ReserveInventory', input, context, (services, order) => services.inventory.reserve(order)),
    ProcessPayment: (input, context) => run('ProcessPayment', input, context, (services, order) => services.payments.charge(order)),
    FulfillOrder: (input, context) => run('FulfillOrder', input, context, (services, order) => services.fulfillment.fulfil(order)),
  };
}

const handlers = sagaStepHandlers(getAppServices);
registerSagaActivity('ReserveInventory', handlers.ReserveInventory);
registerSagaActivity('ProcessPayment', handlers.ProcessPayment);
registerSagaActivity('FulfillOrder', handlers.FulfillOrder);
