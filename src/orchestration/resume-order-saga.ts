import type { AppServices } from '../app-services';
import type { resumeChoreographySaga } from '../choreography/resume-saga';
import { isFinalOrderStatus, toSagaOrder, type OrderSaga, type StoredOrder } from '../domain';
import { ORDER_SAGA_ORCHESTRATOR } from './order-saga-orchestrator';
import { orderSagaInput } from './orchestrator-version';
import { continuationOf, instanceStatus, isLiveInstance, startOrderSaga, type SagaStarterClient } from './saga-starter';

export interface ResumeRequest {
  services: AppServices;
  client: SagaStarterClient;
  resumeChoreography: typeof resumeChoreographySaga;
  now: Date;
}

/** `resumed`: what was done (`restarted`, `compensations-resumed`, `redriven`) and why. */
export type ResumeAnswer =
  | { kind: 'unknown-order' }
  | { kind: 'not-resumable'; detail: string }
  | { kind: 'resumed'; action: 'restarted' | 'compensations-resumed' | 'redriven'; detail: string };

/**
 * The operator's way forward for one order's saga, without editing documents:
 * - an orchestration whose instance ended Failed or Terminated (or never started) is restarted, continuing
 *   its saga record;
 * - a CompensationFailed orchestrated saga is reopened (saga Compensating, order Processing) and a new run
 *   retries the compensations that failed, so it ends Compensated (order Cancelled) once the fault is gone;
 * - a choreographed saga goes to the choreography, which re-drives what it is missing.
 * A running saga, or one that finished otherwise, is not resumable.
 */
export async function resumeOrderSaga(request: ResumeRequest, orderId: string): Promise<ResumeAnswer> {
  const { services } = request;
  const order = await services.repositories.orders.get(orderId);
  if (!order) return { kind: 'unknown-order' };
  if (order.sagaStyle === 'choreography') {
    const outcome = await request.resumeChoreography(services, orderId, 'operator');
    if (outcome.action === 'redriven') return { kind: 'resumed', action: 'redriven', detail: outcome.detail };
    return { kind: 'not-resumable', detail: outcome.detail };
  }

  const status = await instanceStatus(request.client, orderId);
  const runtimeStatus = status === null ? null : String(status.runtimeStatus);
  if (runtimeStatus !== null && isLiveInstance(runtimeStatus)) {
    return { kind: 'not-resumable', detail: `The saga of order ${orderId} is running (instance ${runtimeStatus}); there is nothing to resume.` };
  }
  const saga = await services.repositories.sagas.get(orderId);
  if (saga?.status === 'CompensationFailed') return reopenCompensations(request, order, saga);
  if (isFinalOrderStatus(order.status)) {
    return { kind: 'not-resumable', detail: `The saga of order ${orderId} finished: the order is ${order.status}.` };
  }
  const outcome = await startOrderSaga(request.client, services.repositories, order, order.id, { restartCompleted: true });
  if (outcome === 'running') return { kind: 'not-resumable', detail: `The saga of order ${orderId} was started meanwhile; it is running.` };
  const from = runtimeStatus === null ? 'had no instance' : `had ended ${runtimeStatus}`;
  return { kind: 'resumed', action: 'restarted', detail: `The saga of order ${orderId} ${from}; it was started again and continues its saga record.` };
}

/**
 * Order first, then the saga record: whichever write is missing after a fault, asking again (or the sweeper,
 * which sees a Processing order whose saga does not move) finishes the job.
 */
async function reopenCompensations(request: ResumeRequest, order: StoredOrder, saga: OrderSaga): Promise<ResumeAnswer> {
  const now = request.now.toISOString();
  const failed = saga.compensation?.steps.filter((step) => step.status === 'Failed').map((step) => step.name) ?? [];
  const reason = `${saga.compensation?.reason ?? 'A step failed'}; an operator resumed the compensations that failed (${failed.join(', ')})`;
  const { repositories } = request.services;
  const reopenedOrder = await repositories.orders.update(order.id, (current) =>
    current.status === 'Failed' ? { ...current, status: 'Processing', statusReason: reason, updatedAt: now } : null,
  );
  // An update, not a save: a save never puts a running record over a final one, and reopening is exactly that.
  await repositories.sagas.update(order.id, (current) =>
    current?.status === 'CompensationFailed'
      ? { ...current, status: 'Compensating', updatedAt: now, compensation: current.compensation && { ...current.compensation, completedAt: null } }
      : null,
  );
  const continuation = await continuationOf(repositories, reopenedOrder);
  await request.client.startNew(ORDER_SAGA_ORCHESTRATOR, {
    instanceId: order.id,
    input: orderSagaInput(toSagaOrder(reopenedOrder, order.id), continuation),
  });
  return { kind: 'resumed', action: 'compensations-resumed', detail: `Retrying ${failed.join(', ')} for order ${order.id}.` };
}
