import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { CHOREOGRAPHY_QUEUES } from '../../src/messaging/queues';
import { captureLogs } from '../local-host/helpers';
import { ChoreographyClient as SagaClient } from '../support/saga-client';

/*
 * The choreography on the embedded host with a fault between the app and the broker: the broker refuses some
 * sends, so one publish reaches one queue and not another (a partial fan-out), and the participant's message
 * comes back. Faults are injected by wrapping the host's in-process broker; everything else is real.
 */
const LINES = [{ productId: 'dog-leash', quantity: 1 }];

let host: RunningHost;
let client: SagaClient;
const logs = captureLogs();

beforeAll(async () => {
  host = await startHost({ appDir: path.resolve(__dirname, '../..'), port: 0, logSink: logs.sink });
  client = new SagaClient(host.url);
});

afterAll(async () => {
  await host?.stop();
});

type Send = RunningHost['broker']['send'];

/** Wraps the broker's send: records every body offered per message id, and refuses the sends `refuse` picks. */
function interceptSends(refuse: (queue: string, event: { type: string; orderId: string }) => boolean) {
  const original: Send = host.broker.send.bind(host.broker);
  const bodies = new Map<string, Set<string>>();
  host.broker.send = (entity, messages) => {
    for (const message of messages) {
      const body = message.body.toString('utf8');
      const id = `${entity}|${message.messageId ?? ''}`;
      bodies.set(id, (bodies.get(id) ?? new Set()).add(body));
      if (refuse(entity, JSON.parse(body) as { type: string; orderId: string })) throw new Error(`injected: ${entity} refuses this send`);
    }
    return original(entity, messages);
  };
  return {
    bodies,
    restore: () => {
      host.broker.send = original;
    },
  };
}

describe('choreography on the embedded host, with a partial fan-out', () => {
  it('announces InventoryReserved with one payload under one message id, and a copy delivered again changes nothing', async () => {
    let refused = 0;
    const sends = interceptSends((queue, event) => queue === 'order-events' && event.type === 'InventoryReserved' && (refused += 1) <= 2);
    try {
      const accepted = await client.placeOrder({
        customerId: 'cust-fanout',
        items: LINES,
        payment: { method: 'card', cardNumber: '4242424242424242' },
        shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
        sagaStyle: 'choreography',
      });
      const order = await client.finalOrder(accepted.id);
      expect(refused).toBeGreaterThanOrEqual(3);
      expect(order).toMatchObject({ status: 'Completed', payment: { status: 'Captured' } });
      const saga = await client.saga(accepted.id);
      expect(saga.steps.map((step) => `${step.name}:${step.status}:${step.attempts}`)).toEqual([
        'ReserveInventory:Succeeded:1',
        'ProcessPayment:Succeeded:1',
        'FulfillOrder:Succeeded:1',
      ]);
      const differing = [...sends.bodies].filter(([, bodies]) => bodies.size > 1).map(([id]) => id);
      expect(differing).toEqual([]);

      // The payment participant gets InventoryReserved once more, under a message id the broker has not seen.
      const before = { product: await client.product('dog-leash'), order: await client.order(accepted.id), saga };
      const [reserved] = [...sends.bodies].find(([id]) => id.startsWith('payment-events|'))?.[1] ?? [];
      await client.send('payment-events', JSON.parse(reserved ?? '{}'), `copy-${accepted.id}`);
      await client.quiet(CHOREOGRAPHY_QUEUES);
      expect({ product: await client.product('dog-leash'), order: await client.order(accepted.id), saga: await client.saga(accepted.id) }).toEqual(before);
      expect(logs.text()).toContain(`ProcessPayment of order ${accepted.id}: PaymentCompleted after 1 attempt(s) (delivery 1)`);
    } finally {
      sends.restore();
    }
  });
});
