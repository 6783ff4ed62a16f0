import type { OrderSaga, SagaOrder, StepResult } from '../domain';
import type { ReservedLines } from '../services/inventory-service';
import type { CompensationOutcome } from '../services/ports';
import type { PaymentProgress } from '../services/saga-record-service';

/** What the order should show of the payment once the saga knows it. */
export type SagaPayment = PaymentProgress;

export interface SaveSagaStateInput {
  saga: OrderSaga;
  payment: SagaPayment | null;
  /**
   * Whether what the order shows (status, reason, payment) differs from the previous save. Most
   * transitions only touch step details, and skipping the order then saves a read and a write.
   */
  orderChanged: boolean;
  /** The order's trace (W3C), so the activity's span joins it. */
  traceparent?: string;
  tracestate?: string;
}

/**
 * Every activity of the order saga with its input and output; each forward step and compensation of the
 * saga definition is an activity of the same name. The orchestrator's calls and the activity
 * registrations are both typed from this map, so a misspelt name or a wrong payload does not compile.
 */
export interface SagaActivities {
  ReserveInventory: { input: SagaOrder; output: StepResult<ReservedLines> };
  ProcessPayment: { input: SagaOrder; output: StepResult<{ transactionId: string }> };
  FulfillOrder: { input: SagaOrder; output: StepResult<{ trackingNumber: string }> };
  ReleaseInventory: { input: SagaOrder; output: CompensationOutcome };
  RefundPayment: { input: SagaOrder; output: CompensationOutcome };
  CancelFulfillment: { input: SagaOrder; output: CompensationOutcome };
  SaveSagaState: { input: SaveSagaStateInput; output: null };
}

export type SagaActivityName = keyof SagaActivities;
export type ActivityInput<N extends SagaActivityName> = SagaActivities[N]['input'];
export type ActivityOutput<N extends SagaActivityName> = SagaActivities[N]['output'];

export const SAVE_SAGA_STATE = 'SaveSagaState' satisfies SagaActivityName;
