import { getAppServices, type AppServices } from '../app-services';
import { registerSagaActivity, type SagaActivityHandler } from '../orchestration/register-activity';
import { SAVE_SAGA_STATE } from '../orchestration/saga-activities';

export type SaveSagaStateServices = Pick<AppServices, 'sagaRecords'>;

/**
 * Writes the saga record and, when what the order shows has changed, mirrors it (status, payment) onto the
 * order. Replays write the same snapshot.
 */
export function saveSagaStateHandler(getServices: () => Promise<SaveSagaStateServices>): SagaActivityHandler<typeof SAVE_SAGA_STATE> {
  return async ({ saga, payment, orderChanged }) => {
    const { sagaRecords } = await getServices();
    if (orderChanged === false) await sagaRecords.saveSagaOnly(saga);
    else await sagaRecords.save(saga, payment ?? undefined);
    return null;
  };
}

registerSagaActivity(SAVE_SAGA_STATE, saveSagaStateHandler(getAppServices));
