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
 * The input of a step or compensation from version 3 on: the order, and the saga record to save before the
 * activity acts, when it changed since the last save. Saving it there rather than in an activity of its own
 * spares the saga an episode and a replay per step. Versions 1 and 2 pass the bare order.
 */
export interface StepActivityInput {
  order: SagaOrder;
  sagaRecord: SaveSagaStateInput | null;
}

/** What a step or compensation activity is given, by the orchestrator of any version. */
export type StepInput = SagaOrder | StepActivityInput;

/** The order and the record to save, whichever version scheduled the activity. */
export function readStepInput(input: StepInput): StepActivityInput {
  return 'order' in input ? input : { order: input, sagaRecord: null };
}

/**
 * Every activity of the order saga with its input and output; each forward step and compensation of the
 * saga definition is an activity of the same name. The orchestrator's calls and the activity
 * registrations are both typed from this map, so a misspelt name or a wrong payload does not compile.
 */
export interface SagaActivities {
  ReserveInventory: { input: StepInput; output: StepResult<ReservedLines> };
  ProcessPayment: { input: StepInput; output: StepResult<{ transactionId: string }> };
  FulfillOrder: { input: StepInput; output: StepResult<{ trackingNumber: string }> };
  ReleaseInventory: { input: StepInput; output: CompensationOutcome };
  RefundPayment: { input: StepInput; output: CompensationOutcome };
  CancelFulfillment: { input: StepInput; output: CompensationOutcome };
  SaveSagaState: { input: SaveSagaStateInput; output: null };
}

export type SagaActivityName = keyof SagaActivities;
export type ActivityInput<N extends SagaActivityName> = SagaActivities[N]['input'];
export type ActivityOutput<N extends SagaActivityName> = SagaActivities[N]['output'];

export const SAVE_SAGA_STATE = 'SaveSagaState' satisfies SagaActivityName;
