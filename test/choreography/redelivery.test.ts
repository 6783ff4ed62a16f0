import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { QUEUE_OF } from '../../src/choreography/participant-queues';
import { QUEUE_MAX_DELIVERY_COUNT, lastAllowedDelivery } from '../../src/choreography/redelivery';
import { deliveryFrom } from '../../src/choreography/trigger-delivery';
import { COMPENSATION_RETRY, STEP_RETRY, type EventType } from '../../src/domain';
import { CHOREOGRAPHY_QUEUES } from '../../src/messaging/queues';
import { EVENT_ROUTES } from '../../src/messaging/routes';

interface EmulatorConfig {
  UserConfig: { Namespaces: Array<{ Queues: Array<{ Name: string; Properties: { MaxDeliveryCount: number } }> }> };
}

describe('redelivery limits', () => {
  it('gives forward steps their retry policy and compensations every delivery the queue allows', () => {
    expect(lastAllowedDelivery(STEP_RETRY)).toBe(STEP_RETRY.maxNumberOfAttempts);
    expect(lastAllowedDelivery(COMPENSATION_RETRY)).toBe(QUEUE_MAX_DELIVERY_COUNT);
    expect(lastAllowedDelivery({ ...COMPENSATION_RETRY, maxNumberOfAttempts: 9 })).toBe(QUEUE_MAX_DELIVERY_COUNT);
  });

  it('matches the MaxDeliveryCount of every choreography queue, so a failure is announced before dead-lettering', () => {
    const config = JSON.parse(readFileSync(path.resolve(__dirname, '../../servicebus/Config.json'), 'utf8')) as EmulatorConfig;
    const queues = config.UserConfig.Namespaces.flatMap((namespace) => namespace.Queues);
    for (const name of CHOREOGRAPHY_QUEUES) {
      expect(queues.find((queue) => queue.Name === name)?.Properties.MaxDeliveryCount, name).toBe(QUEUE_MAX_DELIVERY_COUNT);
    }
  });
});

describe('participant queues', () => {
  it('name, for every step and compensation, a queue its trigger events are routed to', () => {
    const triggers = {
      ReserveInventory: ['OrderCreated'],
      ProcessPayment: ['InventoryReserved'],
      FulfillOrder: ['PaymentCompleted'],
      ReleaseInventory: ['InventoryReservationFailed', 'PaymentRefunded'],
      RefundPayment: ['PaymentFailed', 'FulfillmentCancelled'],
      CancelFulfillment: ['FulfillmentFailed'],
    } as const satisfies Record<keyof typeof QUEUE_OF, readonly EventType[]>;
    for (const [name, types] of Object.entries(triggers)) {
      for (const type of types) {
        const route = EVENT_ROUTES[type];
        const queues = 'bySagaStyle' in route ? route.bySagaStyle.choreography : route;
        expect(queues, `${name} from ${type}`).toContain(QUEUE_OF[name as keyof typeof QUEUE_OF]);
      }
    }
  });
});

describe('deliveryFrom', () => {
  const context = (triggerMetadata?: Record<string, unknown>) =>
    new InvocationContext({ invocationId: 'inv-1', functionName: 'choreographyOrder', triggerMetadata, logHandler: () => {} });

  it('takes the delivery count and message id from the trigger metadata', () => {
    const delivery = deliveryFrom({ a: 1 }, context({ deliveryCount: 3, messageId: 'm-1' }));
    expect(delivery).toMatchObject({ body: { a: 1 }, deliveryCount: 3, messageId: 'm-1' });
  });

  it('treats a delivery without metadata as the first', () => {
    const delivery = deliveryFrom('x', context());
    expect(delivery).toMatchObject({ deliveryCount: 1, messageId: '(no messageId; invocation inv-1)' });
  });
});
