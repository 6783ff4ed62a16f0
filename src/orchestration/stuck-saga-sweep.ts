import type { AppServices } from '../app-services';
import type { resumeChoreographySaga } from '../choreography/resume-saga';
import type { StoredOrder } from '../domain';
import { startOrderSaga, type SagaStarterClient } from './saga-starter';

/** How many stuck orders one sweep looks at; the next sweep takes the rest. */
const STUCK_BATCH = 50;

export interface StuckSagaSweep {
  services: AppServices;
  client: SagaStarterClient;
  resumeChoreography: typeof resumeChoreographySaga;
  now: Date;
  stuckAfterSeconds: number;
}

/**
 * What the sweep did for one order. `restarted`: a new run of an orchestration that had ended (or never
 * started); `left-running`: the instance is live though its saga record has not moved (a long retry wait,
 * or a host that lost work: an operator can terminate it, and the next sweep restarts it); the choreography's
 * own answers otherwise.
 */
export interface StuckSagaAction {
  orderId: string;
  sagaStyle: StoredOrder['sagaStyle'];
  action: 'restarted' | 'left-running' | 'redriven' | 'none' | 'refused' | 'failed';
  detail: string;
}

/**
 * Orders in Processing whose saga record has not changed for `stuckAfterSeconds`: an orchestration whose
 * instance ended Failed or Terminated (or is missing, or completed while the order was reopened) is started
 * again under the same instance id, continuing its saga record; a choreographed saga is handed to the
 * choreography to re-drive the event it is missing. One order's fault does not stop the others.
 */
export async function sweepStuckSagas(sweep: StuckSagaSweep): Promise<StuckSagaAction[]> {
  const before = new Date(sweep.now.getTime() - sweep.stuckAfterSeconds * 1000).toISOString();
  // The order is written with every saga transition that changes what it shows, never later than the saga
  // record, so an order written since `before` has a saga that moved since then too.
  const candidates = await sweep.services.repositories.orders.listProcessingUpdatedBefore(before, STUCK_BATCH);
  const actions: StuckSagaAction[] = [];
  for (const order of candidates) {
    try {
      const saga = await sweep.services.repositories.sagas.get(order.id);
      if (saga && saga.updatedAt >= before) continue;
      actions.push(await unstick(sweep, order));
    } catch (error) {
      actions.push({ orderId: order.id, sagaStyle: order.sagaStyle, action: 'failed', detail: error instanceof Error ? error.message : String(error) });
    }
  }
  return actions;
}

async function unstick(sweep: StuckSagaSweep, order: StoredOrder): Promise<StuckSagaAction> {
  const base = { orderId: order.id, sagaStyle: order.sagaStyle };
  if (order.sagaStyle === 'choreography') {
    const outcome = await sweep.resumeChoreography(sweep.services, order.id, 'stuck');
    return { ...base, action: outcome.action, detail: outcome.detail };
  }
  const outcome = await startOrderSaga(sweep.client, sweep.services.repositories, order, order.id, { restartCompleted: true });
  if (outcome === 'running') return { ...base, action: 'left-running', detail: 'the instance is running; its saga record has not moved, so it is left alone' };
  return { ...base, action: 'restarted', detail: outcome === 'started' ? 'no instance existed; started one' : 'the instance had ended; restarted it' };
}
