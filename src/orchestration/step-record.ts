import type { SagaRecordService } from '../services/saga-record-service';
import type { SaveSagaStateInput } from './saga-activities';

export type SagaRecordWriter = Pick<SagaRecordService, 'save' | 'saveSagaOnly'>;

/**
 * Writes the saga record and, when what the order shows has changed, mirrors it (status, payment) onto the
 * order. Replays and repeated activities write the same snapshot; an older one is dropped by the repository.
 */
export async function saveSagaRecord(sagaRecords: SagaRecordWriter, { saga, payment, orderChanged }: SaveSagaStateInput): Promise<void> {
  if (orderChanged === false) await sagaRecords.saveSagaOnly(saga);
  else await sagaRecords.save(saga, payment ?? undefined);
}
