import type { OrderSaga, SagaOrder } from '../../../src/domain';
import { ORDER_SAGA_ORCHESTRATOR, orderSagaOrchestrator } from '../../../src/orchestration/order-saga-orchestrator';
import type { SaveSagaStateInput } from '../../../src/orchestration/saga-activities';
import { replayOrchestration, type FakeActivities, type ReplayResult, type Scheduled } from './replay-driver';

export const ORDER: SagaOrder = {
  orderId: 'order-1',
  correlationId: 'corr-1',
  items: [{ productId: 'dog-food-5kg', quantity: 2 }],
  totalAmount: 49.98,
  currency: 'USD',
  cardFingerprint: 'fingerprint',
  shippingCountry: 'US',
  simulateFailure: null,
};

/** Every activity succeeding; tests override the ones they are about. */
export function happyActivities(saves: SaveSagaStateInput[]): FakeActivities {
  return {
    ReserveInventory: (order) => ({ ok: true, value: { items: order.items } }),
    ProcessPayment: () => ({ ok: true, value: { transactionId: 'txn-1' } }),
    FulfillOrder: () => ({ ok: true, value: { trackingNumber: 'TRK-1' } }),
    ReleaseInventory: () => 'Compensated',
    RefundPayment: () => 'Compensated',
    CancelFulfillment: () => 'Compensated',
    SaveSagaState: (input) => {
      saves.push(input);
      return null;
    },
  };
}

export interface SagaRun extends ReplayResult {
  saves: SaveSagaStateInput[];
  finalSaga: OrderSaga;
}

export async function runSaga(overrides: FakeActivities = {}, input: unknown = ORDER): Promise<SagaRun> {
  const saves: SaveSagaStateInput[] = [];
  const result = await replayOrchestration({
    name: ORDER_SAGA_ORCHESTRATOR,
    orchestrator: orderSagaOrchestrator,
    instanceId: 'order-1',
    input,
    activities: { ...happyActivities(saves), ...overrides },
  });
  const last = saves.at(-1);
  return { ...result, saves, finalSaga: last?.saga as OrderSaga };
}

/** The activity calls and timers in order, with SaveSagaState left out. */
export function sagaCalls(scheduled: readonly Scheduled[]): string[] {
  return scheduled
    .filter((entry) => entry.kind === 'timer' || entry.name !== 'SaveSagaState')
    .map((entry) => (entry.kind === 'timer' ? 'timer' : entry.name));
}

/** Everything scheduled, SaveSagaState included. */
export function allCalls(scheduled: readonly Scheduled[]): string[] {
  return scheduled.map((entry) => (entry.kind === 'timer' ? 'timer' : entry.name));
}

export class Transient extends Error {
  override readonly name = 'TransientFault';
}
