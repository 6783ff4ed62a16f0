import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResumeOutcome } from '../../src/choreography/resume-saga';
import { finishSaga, recordStepAttempt, recordStepSucceeded, startSaga, toSagaOrder, type OrderSaga, type SagaStyle } from '../../src/domain';
import { sagaSweeperHandler } from '../../src/functions/saga-sweeper';
import { FakeDurableClient } from './support/fake-durable-client';
import { captureLogs, invocationContext } from './support/http';
import { orderRequest } from './support/order-requests';
import { startAppUnderTest, type AppUnderTest } from './support/app-under-test';

/*
 * The sweeper timer over the real services (in-process Cosmos DB), with a fake Durable client: which
 * orders it republishes, which sagas it restarts or hands to the choreography, and which it leaves alone.
 */
const TIMER = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
const LONG_AGO = '2020-01-01T00:00:00.000Z';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startAppUnderTest();
});
afterAll(async () => {
  await app?.close();
});

/** An order in Processing whose saga record (and the order) were last written long ago. */
async function stuckOrder(sagaStyle: SagaStyle, saga: (orderId: string) => OrderSaga | null = (id) => runningSaga(id, sagaStyle)) {
  const placed = await app.services.orders.placeOrder(orderRequest({ sagaStyle }) as never, { correlationId: 'c' });
  if (placed.kind !== 'accepted') throw new Error(placed.kind);
  const record = saga(placed.order.id);
  if (record) await app.services.repositories.sagas.save(record);
  return app.services.repositories.orders.update(placed.order.id, (order) => ({ ...order, status: 'Processing', updatedAt: LONG_AGO }));
}

function runningSaga(orderId: string, sagaStyle: SagaStyle = 'orchestration', at = LONG_AGO): OrderSaga {
  const started = startSaga({ orderId, sagaStyle, instanceId: sagaStyle === 'orchestration' ? orderId : null, now: at });
  return recordStepAttempt(recordStepSucceeded(started, 'ReserveInventory', at), 'ProcessPayment', 1, at);
}

function sweep(client: FakeDurableClient, resumed: Array<[string, string]> = [], outcome: ResumeOutcome = { action: 'redriven', detail: 'sent InventoryReserved again' }) {
  const logs = captureLogs();
  const handler = sagaSweeperHandler(
    async () => app.services,
    () => client,
    async (_services, orderId, trigger) => {
      resumed.push([orderId, trigger]);
      return outcome;
    },
  );
  return { logs, run: () => handler(TIMER, invocationContext('sagaSweeper', logs)) };
}

describe('sagaSweeper', () => {
  it.each(['Failed', 'Terminated'])('restarts an orchestration whose instance ended %s, continuing its saga record', async (status) => {
    const order = await stuckOrder('orchestration');
    const saga = await app.services.repositories.sagas.get(order.id);
    const client = new FakeDurableClient();
    client.statuses.set(order.id, status);
    const { logs, run } = sweep(client);
    await run();

    const mine = client.started.filter((start) => start.instanceId === order.id);
    expect(mine).toEqual([{ instanceId: order.id, input: { version: 3, order: toSagaOrder(order, order.id), continueFrom: { saga, payment: null } } }]);
    expect(logs.text()).toContain(`[orderId=${order.id} correlationId=${order.id}] Stuck orchestration saga: restarted`);
  });

  it('starts an orchestration that has no instance at all', async () => {
    const order = await stuckOrder('orchestration', () => null);
    const client = new FakeDurableClient();
    await sweep(client).run();
    expect(client.started.filter((start) => start.instanceId === order.id)).toEqual([
      { instanceId: order.id, input: { version: 3, order: toSagaOrder(order, order.id) } },
    ]);
  });

  it('restarts a completed instance when its order was reopened (not final)', async () => {
    const order = await stuckOrder('orchestration', (id) => ({ ...finishSaga(runningSaga(id), LONG_AGO), status: 'Compensating' }));
    const client = new FakeDurableClient();
    client.statuses.set(order.id, 'Completed');
    await sweep(client).run();
    expect(client.started.filter((start) => start.instanceId === order.id)).toHaveLength(1);
  });

  it('leaves a running instance alone and says so', async () => {
    const order = await stuckOrder('orchestration');
    const client = new FakeDurableClient();
    client.statuses.set(order.id, 'Running');
    const { logs, run } = sweep(client);
    await run();
    expect(client.started.filter((start) => start.instanceId === order.id)).toEqual([]);
    expect(logs.text()).toContain(`[orderId=${order.id} correlationId=${order.id}] Stuck orchestration saga: left-running`);
  });

  it('leaves a saga whose record moved recently alone, whatever its instance', async () => {
    const order = await stuckOrder('orchestration', (id) => runningSaga(id, 'orchestration', new Date().toISOString()));
    const client = new FakeDurableClient();
    client.statuses.set(order.id, 'Failed');
    await sweep(client).run();
    expect(client.started.filter((start) => start.instanceId === order.id)).toEqual([]);
  });

  it('hands a stuck choreographed saga to the choreography to re-drive', async () => {
    const order = await stuckOrder('choreography');
    const resumed: Array<[string, string]> = [];
    const { logs, run } = sweep(new FakeDurableClient(), resumed);
    await run();
    expect(resumed).toContainEqual([order.id, 'stuck']);
    expect(logs.text()).toContain(`[orderId=${order.id} correlationId=${order.id}] Stuck choreography saga: redriven: sent InventoryReserved again`);
  });

  it('republishes a Pending order under a new message id, and still sweeps stuck sagas when that fails', async () => {
    const placed = await app.services.orders.placeOrder(orderRequest({ sagaStyle: 'orchestration' }) as never, { correlationId: 'c' });
    if (placed.kind !== 'accepted') throw new Error(placed.kind);
    await app.services.repositories.orders.update(placed.order.id, (order) => ({ ...order, createdAt: LONG_AGO }));
    app.publisher.events.length = 0;
    app.publisher.resends.length = 0;
    const client = new FakeDurableClient();
    const { logs, run } = sweep(client);
    await run();
    expect(app.publisher.events.map((event) => event.orderId)).toContain(placed.order.id);
    expect(app.publisher.resends.every((resend) => typeof resend === 'string')).toBe(true);
    expect(logs.text()).toMatch(/Republished OrderCreated for \d+ pending order\(s\) under new message ids/);

    const stuck = await stuckOrder('orchestration');
    client.statuses.set(stuck.id, 'Terminated');
    app.publisher.failing = true;
    try {
      const failing = sweep(client);
      await failing.run();
      expect(failing.logs.text()).toContain('Republishing pending orders failed; the next sweep tries again: broker unreachable');
      expect(client.started.map((start) => start.instanceId)).toContain(stuck.id);
    } finally {
      app.publisher.failing = false;
    }
  });
});
