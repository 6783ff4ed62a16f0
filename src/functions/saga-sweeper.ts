import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { getAppServices, type AppServices } from '../app-services';
import { resumeChoreographySaga } from '../choreography/resume-saga';
import { sagaSweepSchedule } from '../config';
import type { SagaStarterClient } from '../orchestration/saga-starter';
import { sweepStuckSagas } from '../orchestration/stuck-saga-sweep';

/**
 * Every SAGA_SWEEP_INTERVAL_SECONDS (30 s): the promise that an accepted order reaches a final status.
 * 1. Orders still Pending after PENDING_ORDER_REPUBLISH_AFTER_SECONDS get OrderCreated again, under a new
 *    message id (the broker was unreachable, the request's bounded publish gave up, or OrderCreated was
 *    dead-lettered).
 * 2. Orders Processing whose saga record has not changed for STUCK_SAGA_AFTER_SECONDS: see sweepStuckSagas.
 * Each part runs even if the other fails; a failure is logged and the next sweep tries again.
 */
export function sagaSweeperHandler(
  getServices: () => Promise<AppServices>,
  clientFor: (context: InvocationContext) => SagaStarterClient = df.getClient,
  resumeChoreography: typeof resumeChoreographySaga = resumeChoreographySaga,
  now: () => Date = () => new Date(),
) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const services = await getServices();
    const { config } = services;
    try {
      const republished = await services.orders.republishPendingOrders(config.pendingOrderRepublishAfterSeconds);
      if (republished > 0) context.log(`Republished OrderCreated for ${republished} pending order(s) under new message ids`);
    } catch (error) {
      context.warn(`Republishing pending orders failed; the next sweep tries again: ${describe(error)}`);
    }
    try {
      const actions = await sweepStuckSagas({
        services,
        client: clientFor(context),
        resumeChoreography,
        now: now(),
        stuckAfterSeconds: config.stuckSagaAfterSeconds,
      });
      for (const { orderId, sagaStyle, action, detail } of actions) {
        const line = `[orderId=${orderId} correlationId=${orderId}] Stuck ${sagaStyle} saga: ${action}: ${detail}`;
        if (action === 'failed' || action === 'refused') context.warn(line);
        else context.log(line);
      }
    } catch (error) {
      context.warn(`Sweeping stuck sagas failed; the next sweep tries again: ${describe(error)}`);
    }
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

app.timer('sagaSweeper', {
  schedule: sagaSweepSchedule(),
  extraInputs: [df.input.durableClient()],
  handler: sagaSweeperHandler(getAppServices),
});
