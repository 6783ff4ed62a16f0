import type { OrderStatus, SagaStyle } from './order';
import { ORDER_SAGA, compensationPlan } from './saga-definition';
import type {
  CompensationName,
  CompensationStatus,
  ForwardStepName,
  OrderSaga,
  SagaStatus,
  SagaStep,
} from './saga';

/**
 * Pure transitions of the OrderSaga record. Both saga styles build the record with these functions, so
 * `GET /api/orders/{id}/saga` reads the same whichever style ran. `now` is passed in because the
 * orchestrator must take its time from the replay-safe clock.
 */
export function startSaga(input: { orderId: string; sagaStyle: SagaStyle; instanceId: string | null; now: string }): OrderSaga {
  return {
    orderId: input.orderId,
    sagaStyle: input.sagaStyle,
    instanceId: input.instanceId,
    status: 'Running',
    steps: ORDER_SAGA.map(
      (step): SagaStep => ({ name: step.name, status: 'Pending', attempts: 0, startedAt: null, completedAt: null, error: null }),
    ),
    compensation: null,
    createdAt: input.now,
    updatedAt: input.now,
  };
}

function updateStep(saga: OrderSaga, name: ForwardStepName, now: string, change: (step: SagaStep) => SagaStep): OrderSaga {
  return { ...saga, updatedAt: now, steps: saga.steps.map((step) => (step.name === name ? change(step) : step)) };
}

export function recordStepAttempt(saga: OrderSaga, name: ForwardStepName, attempt: number, now: string): OrderSaga {
  return updateStep(saga, name, now, (step) => ({
    ...step,
    status: 'Running',
    attempts: Math.max(step.attempts, attempt),
    startedAt: step.startedAt ?? now,
  }));
}

export function recordStepSucceeded(saga: OrderSaga, name: ForwardStepName, now: string): OrderSaga {
  return updateStep(saga, name, now, (step) => ({
    ...step,
    status: 'Succeeded',
    attempts: Math.max(step.attempts, 1),
    startedAt: step.startedAt ?? now,
    completedAt: now,
    error: null,
  }));
}

/** A failed step moves the saga to Compensating and fixes which compensations must run. */
export function recordStepFailed(saga: OrderSaga, name: ForwardStepName, reason: string, now: string): OrderSaga {
  const failed = updateStep(saga, name, now, (step) => ({
    ...step,
    status: 'Failed',
    attempts: Math.max(step.attempts, 1),
    startedAt: step.startedAt ?? now,
    completedAt: now,
    error: reason,
  }));
  return {
    ...failed,
    status: 'Compensating',
    compensation: saga.compensation ?? { reason, failedStep: name, startedAt: now, completedAt: null, steps: [] },
  };
}

export function recordCompensation(
  saga: OrderSaga,
  entry: { name: CompensationName; status: CompensationStatus; attempts: number; error: string | null },
  now: string,
): OrderSaga {
  if (!saga.compensation) throw new Error(`Saga ${saga.orderId} is not compensating`);
  const steps = saga.compensation.steps.filter((step) => step.name !== entry.name);
  steps.push({ ...entry, completedAt: now });
  return { ...saga, updatedAt: now, compensation: { ...saga.compensation, steps } };
}

/** Ends the saga: Completed when no step failed, otherwise by how the compensations went. */
export function finishSaga(saga: OrderSaga, now: string): OrderSaga {
  if (!saga.compensation) return { ...saga, status: 'Completed', updatedAt: now };
  const anyFailed = saga.compensation.steps.some((step) => step.status === 'Failed');
  return {
    ...saga,
    status: anyFailed ? 'CompensationFailed' : 'Compensated',
    updatedAt: now,
    compensation: { ...saga.compensation, completedAt: now },
  };
}

/** The compensations still owed, in the order they must run. */
export function pendingCompensations(saga: OrderSaga): CompensationName[] {
  if (!saga.compensation) return [];
  const done = new Set(saga.compensation.steps.map((step) => step.name));
  return compensationPlan(saga.compensation.failedStep).filter((name) => !done.has(name));
}

const ORDER_STATUS_BY_SAGA_STATUS: Record<SagaStatus, OrderStatus> = {
  Running: 'Processing',
  Compensating: 'Processing',
  Completed: 'Completed',
  Compensated: 'Cancelled',
  CompensationFailed: 'Failed',
};

export function orderStatusFor(saga: OrderSaga): { status: OrderStatus; statusReason: string | null } {
  const status = ORDER_STATUS_BY_SAGA_STATUS[saga.status];
  if (saga.status === 'CompensationFailed') {
    const failed = saga.compensation?.steps.filter((step) => step.status === 'Failed').map((step) => step.name) ?? [];
    return {
      status,
      statusReason: `${saga.compensation?.reason ?? 'A step failed'}; compensation failed for ${failed.join(', ')}: needs an operator`,
    };
  }
  return { status, statusReason: saga.compensation?.reason ?? null };
}
