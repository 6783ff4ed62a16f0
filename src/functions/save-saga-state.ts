import { getAppServices, type AppServices } from '../app-services';
import { registerSagaActivity, type SagaActivityHandler } from '../orchestration/register-activity';
import { SAVE_SAGA_STATE } from '../orchestration/saga-activities';
import { saveSagaRecord } from '../orchestration/step-record';

export type SaveSagaStateServices = Pick<AppServices, 'sagaRecords'>;

/**
 * Writes the saga record and, when what the order shows has changed, mirrors it onto the order. From version 3
 * on the orchestrator calls it only for the final record; the records before each step travel with the step.
 */
export function saveSagaStateHandler(getServices: () => Promise<SaveSagaStateServices>): SagaActivityHandler<typeof SAVE_SAGA_STATE> {
  return async (input) => {
    const { sagaRecords } = await getServices();
    await saveSagaRecord(sagaRecords, input);
    return null;
  };
}

registerSagaActivity(SAVE_SAGA_STATE, saveSagaStateHandler(getAppServices));
