import { setTimeout as sleep } from 'node:timers/promises';
import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getAppServices } from '../app-services';
import { SERVICE_BUS_CONNECTION_SETTING } from '../config';
import { isFinalOrderStatus, parseEvent } from '../domain';
import { ORDERS_QUEUE } from '../messaging/queues';
import { ORDER_SAGA_ORCHESTRATOR } from '../orchestration/order-saga-orchestrator';
import { startOrderSaga, type SagaStarterClient } from '../orchestration/saga-starter';
import { redeliveryDelayMs } from '../orchestration/trigger-backoff';
import type { OrderRepository, SagaRepository } from '../services/ports';
import { traceOrchestrationStart } from '../telemetry/message-trace';

/** Point reads of the order and, to restart an instance that ended early, of its saga record. */
export interface OrderCreatedServices {
  repositories: { orders: Pick<OrderRepository, 'get'>; sagas: Pick<SagaRepository, 'get'> };
}

const OUTCOME_LOG = {
  started: 'Saga orchestration started',
  restarted: 'Saga orchestration restarted: the instance had ended Failed or Terminated',
  running: 'Saga orchestration already started',
  finished: 'Saga orchestration already started and finished',
} as const;

/** A message this consumer can never process; throwing it lets Service Bus dead-letter the message. */
export class UnprocessableMessage extends Error {
  override readonly name = 'UnprocessableMessage';
}

/**
 * OrderCreated on the `orders` queue → start the order's saga orchestration, once, under the order id; an
 * instance that ended Failed or Terminated while the order is not final is restarted.
 * A malformed or invalid message throws: the runtime abandons it, and after the queue's MaxDeliveryCount
 * Service Bus dead-letters it, with this error as the reason where the host records one. A fault (the
 * database, the Durable API) is thrown too, after a back-off, so the redeliveries are spread out.
 */
export function orderCreatedHandler(
  getServices: () => Promise<OrderCreatedServices>,
  clientFor: (context: InvocationContext) => SagaStarterClient = df.getClient,
  pause: (ms: number) => Promise<void> = (ms) => sleep(ms),
) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const messageId = String(context.triggerMetadata?.messageId ?? 'unknown');
    const parsed = parseEvent(decodeBody(message));
    if (!parsed.ok) throw reject(context, messageId, parsed.reason);
    const event = parsed.event;
    if (event.type !== 'OrderCreated') throw reject(context, messageId, `expected OrderCreated on queue ${ORDERS_QUEUE}, got ${event.type}`);

    const tag = `[orderId=${event.orderId} correlationId=${event.correlationId} messageId=${messageId}]`;
    if (event.data.sagaStyle !== 'orchestration') {
      context.warn(`${tag} OrderCreated for a ${event.data.sagaStyle} saga arrived on ${ORDERS_QUEUE}; nothing to start here`);
      return;
    }
    try {
      const { repositories } = await getServices();
      const order = await repositories.orders.get(event.orderId);
      if (!order) {
        context.warn(`${tag} Order does not exist; nothing to start`);
        return;
      }
      if (order.sagaStyle !== 'orchestration' || isFinalOrderStatus(order.status)) {
        context.log(`${tag} Order is ${order.sagaStyle}/${order.status}; nothing to start`);
        return;
      }
      // The start is a span of its own, and the trace rides in the orchestrator's input to every activity.
      const outcome = await traceOrchestrationStart(ORDER_SAGA_ORCHESTRATOR, {}, (trace) =>
        startOrderSaga(clientFor(context), repositories, order, event.correlationId, { trace }),
      );
      context.log(`${tag} ${OUTCOME_LOG[outcome]}`);
    } catch (fault) {
      const deliveryCount = Number(context.triggerMetadata?.deliveryCount ?? 1);
      const delayMs = redeliveryDelayMs(deliveryCount);
      const reason = fault instanceof Error ? fault.message : String(fault);
      context.warn(`${tag} Starting the saga failed on delivery ${deliveryCount}; handing the message back in ${delayMs} ms: ${reason}`);
      await pause(delayMs);
      throw fault;
    }
  };
}

function reject(context: InvocationContext, messageId: string, reason: string): UnprocessableMessage {
  const error = new UnprocessableMessage(`Message ${messageId} on queue ${ORDERS_QUEUE} cannot be processed: ${reason}`);
  context.error(error.message);
  return error;
}

/** The runtime hands over JSON bodies parsed; a body that arrives as text or bytes is parsed here. */
function decodeBody(message: unknown): unknown {
  const text =
    typeof message === 'string' ? message : message instanceof Uint8Array ? Buffer.from(message).toString('utf8') : undefined;
  if (text === undefined) return message;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

app.serviceBusQueue('orderCreatedTrigger', {
  connection: SERVICE_BUS_CONNECTION_SETTING,
  queueName: ORDERS_QUEUE,
  extraInputs: [df.input.durableClient()],
  handler: orderCreatedHandler(getAppServices),
});
