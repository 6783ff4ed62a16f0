import type { InvocationContext } from '@azure/functions';
import type { DurableOrchestrationStatus } from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order, OrderSaga } from '../../src/domain';
import { createOrderHandler } from '../../src/functions/create-order';
import { getOrderHandler } from '../../src/functions/get-order';
import { getOrderSagaHandler } from '../../src/functions/get-order-saga';
import { orderCreatedHandler } from '../../src/functions/order-created-trigger';
import { sagaCompensationHandlers } from '../../src/functions/saga-compensations';
import { sagaStepHandlers } from '../../src/functions/saga-steps';
import { saveSagaStateHandler } from '../../src/functions/save-saga-state';
import { ORDER_SAGA_ORCHESTRATOR, orderSagaOrchestrator } from '../../src/orchestration/order-saga-orchestrator';
import type { OrderSagaInput } from '../../src/orchestration/orchestrator-version';
import { RETRY_POLICIES_V1 } from '../../src/orchestration/retry-policies';
import type { SagaStarterClient } from '../../src/orchestration/saga-starter';
import { replayOrchestration, type FakeActivities } from '../orchestrator/support/replay-driver';
import { startAppUnderTest, type AppUnderTest } from './support/app-under-test';
import { httpRequest, invocationContext, postJson, readResponse } from './support/http';
import { orderRequest } from './support/order-requests';

/**
 * The whole orchestration path without a host: POST /api/orders, the OrderCreated trigger, the orchestrator
 * replayed by durable-functions with the real activity functions over Cosmos DB, then the read endpoints.
 */
let appUnderTest: AppUnderTest;
const getServices = async () => appUnderTest.services;

beforeAll(async () => {
  appUnderTest = await startAppUnderTest();
});
afterAll(async () => {
  await appUnderTest?.close();
});

function realActivities(context: InvocationContext): FakeActivities {
  const steps = sagaStepHandlers(getServices);
  const compensations = sagaCompensationHandlers(getServices);
  const save = saveSagaStateHandler(getServices);
  return {
    ReserveInventory: (order) => steps.ReserveInventory(order, context),
    ProcessPayment: (order) => steps.ProcessPayment(order, context),
    FulfillOrder: (order) => steps.FulfillOrder(order, context),
    ReleaseInventory: (order) => compensations.ReleaseInventory(order, context),
    RefundPayment: (order) => compensations.RefundPayment(order, context),
    CancelFulfillment: (order) => compensations.CancelFulfillment(order, context),
    SaveSagaState: (input) => save(input, context),
  };
}

async function available(productId: string): Promise<number> {
  return (await appUnderTest.services.repositories.products.get(productId))?.available ?? Number.NaN;
}

async function runOrder(overrides: Record<string, unknown>) {
  const context = invocationContext('saga');
  const accepted = readResponse(await createOrderHandler(getServices)(postJson('/api/orders', orderRequest(overrides)), context));
  expect(accepted.status).toBe(202);
  const orderId = (accepted.json as Order).id;
  const event = appUnderTest.publisher.events.find((candidate) => candidate.orderId === orderId && candidate.type === 'OrderCreated');

  let started: OrderSagaInput | undefined;
  const client: SagaStarterClient = {
    getStatus: async () => {
      throw new Error('DurableClient error: Durable Functions extension replied with HTTP 404 response.');
    },
    startNew: async (_name, options) => {
      started = options?.input as OrderSagaInput;
      return orderId;
    },
  };
  await orderCreatedHandler(getServices, () => client)(event, context);
  expect(started?.order.orderId).toBe(orderId);

  const replay = await replayOrchestration({
    name: ORDER_SAGA_ORCHESTRATOR,
    orchestrator: orderSagaOrchestrator,
    instanceId: orderId,
    input: started,
    activities: realActivities(context),
  });
  const order = readResponse(await getOrderHandler(getServices)(httpRequest({ path: `/api/orders/${orderId}`, params: { id: orderId } }), context));
  const saga = readResponse(
    await getOrderSagaHandler(getServices)(httpRequest({ path: `/api/orders/${orderId}/saga`, params: { id: orderId } }), context),
  );
  return { replay, order: order.json as Order, saga: saga.json as OrderSaga };
}

describe('the orchestration over the real activities', () => {
  it('completes an order: stock held, payment captured, order Completed', async () => {
    const before = await available('cat-tree');
    const { replay, order, saga } = await runOrder({ items: [{ productId: 'cat-tree', quantity: 2 }] });

    expect(replay.output).toBe('Completed');
    expect(order).toMatchObject({ status: 'Completed', statusReason: null, payment: { status: 'Captured' } });
    expect(order.payment.transactionId).toMatch(/^txn-/);
    expect(saga.status).toBe('Completed');
    expect(saga.steps.every((step) => step.status === 'Succeeded' && step.completedAt !== null)).toBe(true);
    expect(await available('cat-tree')).toBe(before - 2);
  });

  it('cancels an order whose payment fails, and gives the stock back', async () => {
    const before = await available('bird-cage');
    const { replay, order, saga } = await runOrder({ items: [{ productId: 'bird-cage', quantity: 3 }], simulateFailure: 'payment' });

    expect(replay.output).toBe('Compensated');
    expect(order).toMatchObject({ status: 'Cancelled', payment: { status: 'Declined' } });
    expect(saga.compensation?.steps.map((step) => [step.name, step.status])).toEqual([
      ['RefundPayment', 'NothingToCompensate'],
      ['ReleaseInventory', 'Compensated'],
    ]);
    expect(await available('bird-cage')).toBe(before);
  });

  it('refunds the payment when fulfilment fails for an unsupported country', async () => {
    const { order, saga } = await runOrder({
      shippingAddress: { name: 'Ada', line1: 'Base 1', city: 'McMurdo', postalCode: '0000', country: 'AQ' },
    });
    expect(order).toMatchObject({ status: 'Cancelled', payment: { status: 'Refunded' } });
    expect(saga.compensation?.steps.map((step) => [step.name, step.status])).toEqual([
      ['CancelFulfillment', 'NothingToCompensate'],
      ['RefundPayment', 'Compensated'],
      ['ReleaseInventory', 'Compensated'],
    ]);
  });

  it('leaves the order Failed when the refund can never complete, after releasing the stock', async () => {
    const before = await available('hamster-wheel');
    const { replay, order, saga } = await runOrder({ items: [{ productId: 'hamster-wheel', quantity: 1 }], simulateFailure: 'refund' });

    expect(replay.output).toBe('CompensationFailed');
    expect(order.status).toBe('Failed');
    expect(order.statusReason).toContain('RefundPayment');
    expect(saga.status).toBe('CompensationFailed');
    const refund = saga.compensation?.steps.find((step) => step.name === 'RefundPayment');
    expect(refund).toMatchObject({ status: 'Failed', attempts: RETRY_POLICIES_V1.compensation.maxNumberOfAttempts });
    expect(refund?.error).toContain('Simulated refund failure');
    expect(await available('hamster-wheel')).toBe(before);
  });

  it('starts nothing twice when OrderCreated is delivered again', async () => {
    const { order } = await runOrder({});
    const event = appUnderTest.publisher.events.find((candidate) => candidate.orderId === order.id);
    const starts: string[] = [];
    const client: SagaStarterClient = {
      getStatus: async (id) => ({ instanceId: id, runtimeStatus: 'Completed' }) as unknown as DurableOrchestrationStatus,
      startNew: async (_name, options) => {
        starts.push(options?.instanceId ?? '');
        return '';
      },
    };
    await orderCreatedHandler(getServices, () => client)(event, invocationContext());
    expect(starts).toEqual([]);
  });
});
