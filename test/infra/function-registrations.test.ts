import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { captureLogs } from '../local-host/helpers';

/*
 * What `func` would load: package.json `main` (the compiled functions glob, built by `npm test`) registers
 * every function with the trigger and options the app means. The embedded host captures registrations
 * through the same @azure/functions path as the Functions worker.
 */
const repoRoot = path.resolve(__dirname, '../..');
let host: RunningHost;

beforeAll(async () => {
  host = await startHost({ appDir: repoRoot, port: 0, logSink: captureLogs().sink });
});
afterAll(async () => {
  await host?.stop();
});

function registrations(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    host.functions.map((fn) => {
      const { type, route, methods, queueName, connection, schedule } = fn.trigger;
      const summary = Object.fromEntries(Object.entries({ type, route, methods, queueName, connection, schedule }).filter(([, v]) => v !== undefined));
      return [fn.name, summary];
    }),
  );
}

describe('the compiled functions glob', () => {
  it('is what package.json main points at, and the build emitted it', () => {
    const main = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { main: string }).main;
    expect(main).toBe('dist/src/functions/*.js');
    expect(existsSync(path.join(repoRoot, 'dist/src/functions/create-order.js'))).toBe(true);
  });

  it('registers every function with the right trigger', () => {
    const queue = (queueName: string) => ({ type: 'serviceBusTrigger', queueName, connection: 'ServiceBusConnection' });
    expect(registrations()).toEqual({
      createOrder: { type: 'httpTrigger', route: 'orders', methods: ['POST'] },
      getOrder: { type: 'httpTrigger', route: 'orders/{id}', methods: ['GET'] },
      listOrders: { type: 'httpTrigger', route: 'orders', methods: ['GET'] },
      getOrderSaga: { type: 'httpTrigger', route: 'orders/{id}/saga', methods: ['GET'] },
      resumeOrderSaga: { type: 'httpTrigger', route: 'orders/{id}/saga/resume', methods: ['POST'] },
      listProducts: { type: 'httpTrigger', route: 'products', methods: ['GET'] },
      getProduct: { type: 'httpTrigger', route: 'products/{id}', methods: ['GET'] },
      health: { type: 'httpTrigger', route: 'health', methods: ['GET'] },
      openApiDocument: { type: 'httpTrigger', route: 'openapi.json', methods: ['GET'] },
      apiReference: { type: 'httpTrigger', route: 'docs/{*asset}', methods: ['GET'] },
      dashboard: { type: 'httpTrigger', route: 'dashboard/{*asset}', methods: ['GET'] },
      unmatchedRoute: { type: 'httpTrigger', route: '{*rest}', methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'] },
      orderCreatedTrigger: queue('orders'),
      choreographyInventory: queue('inventory-events'),
      choreographyPayment: queue('payment-events'),
      choreographyFulfillment: queue('fulfillment-events'),
      choreographyOrder: queue('order-events'),
      sagaSweeper: { type: 'timerTrigger', schedule: '*/30 * * * * *' },
      orderSagaOrchestrator: { type: 'orchestrationTrigger' },
      ReserveInventory: { type: 'activityTrigger' },
      ProcessPayment: { type: 'activityTrigger' },
      FulfillOrder: { type: 'activityTrigger' },
      ReleaseInventory: { type: 'activityTrigger' },
      RefundPayment: { type: 'activityTrigger' },
      CancelFulfillment: { type: 'activityTrigger' },
      SaveSagaState: { type: 'activityTrigger' },
    });
  });

  it.each(['orderCreatedTrigger', 'sagaSweeper', 'resumeOrderSaga'])('gives %s, which starts sagas, a Durable client', (name) => {
    const trigger = host.functions.find((fn) => fn.name === name);
    expect(Object.values(trigger?.bindings ?? {}).map((binding) => binding.type)).toContain('durableClient');
  });
});
