import { describe, expect, it } from 'vitest';
import { foldChoreographySaga, paymentOutcome, sagaOutcomeEvent } from '../../src/domain/choreography-saga';
import { eventIdFor, orderStatusFor, type OrderSaga } from '../../src/domain';
import {
  ORDER_ID,
  SAGA_PATHS,
  at,
  fulfillmentFailed,
  inventoryReservationFailed,
  inventoryReserved,
  inventoryReleased,
  orderCreated,
  orderFulfilled,
  paymentCompleted,
  paymentFailed,
  paymentRefunded,
  permutations,
  sagaEvent,
  shuffled,
} from './saga-events';

const fold = (events: Parameters<typeof foldChoreographySaga>[1]) => foldChoreographySaga(ORDER_ID, events) as OrderSaga;

function compensationSteps(saga: OrderSaga) {
  return saga.compensation?.steps.map(({ name, status }) => `${name}:${status}`);
}

describe('foldChoreographySaga', () => {
  it('has no saga before the first event', () => {
    expect(foldChoreographySaga(ORDER_ID, [])).toBeNull();
  });

  it('records the happy path: every step Succeeded, timed from the event it reacted to', () => {
    const saga = fold([orderCreated(0), inventoryReserved(1), paymentCompleted(2, 2), orderFulfilled(3)]);
    expect(saga).toEqual({
      orderId: ORDER_ID,
      sagaStyle: 'choreography',
      instanceId: null,
      status: 'Completed',
      steps: [
        { name: 'ReserveInventory', status: 'Succeeded', attempts: 1, startedAt: at(0), completedAt: at(1), error: null },
        { name: 'ProcessPayment', status: 'Succeeded', attempts: 2, startedAt: at(1), completedAt: at(2), error: null },
        { name: 'FulfillOrder', status: 'Succeeded', attempts: 1, startedAt: at(2), completedAt: at(3), error: null },
      ],
      compensation: null,
      createdAt: at(0),
      updatedAt: at(3),
    });
  });

  it('shows the step a participant is working on as Running', () => {
    const saga = fold([orderCreated(0), inventoryReserved(1)]);
    expect(saga.status).toBe('Running');
    expect(saga.steps.map((step) => step.status)).toEqual(['Succeeded', 'Running', 'Pending']);
    expect(saga.steps[1]).toMatchObject({ attempts: 1, startedAt: at(1), completedAt: null });
  });

  it('fails at ReserveInventory and compensates with ReleaseInventory alone', () => {
    const saga = fold(SAGA_PATHS['failed at ReserveInventory'] ?? []);
    expect(saga.status).toBe('Compensated');
    expect(saga.steps.map((step) => step.status)).toEqual(['Failed', 'Pending', 'Pending']);
    expect(saga.steps[0]).toMatchObject({ error: 'Out of stock', startedAt: at(0), completedAt: at(1) });
    expect(saga.compensation).toEqual({
      reason: 'Out of stock',
      failedStep: 'ReserveInventory',
      startedAt: at(1),
      completedAt: at(2),
      steps: [{ name: 'ReleaseInventory', status: 'NothingToCompensate', attempts: 1, completedAt: at(2), error: null }],
    });
    expect(orderStatusFor(saga)).toEqual({ status: 'Cancelled', statusReason: 'Out of stock' });
  });

  it('fails at ProcessPayment and compensates RefundPayment, then ReleaseInventory', () => {
    const saga = fold(SAGA_PATHS['failed at ProcessPayment'] ?? []);
    expect(saga.status).toBe('Compensated');
    expect(saga.steps.map((step) => step.status)).toEqual(['Succeeded', 'Failed', 'Pending']);
    expect(saga.compensation).toMatchObject({ failedStep: 'ProcessPayment', startedAt: at(2), completedAt: at(4) });
    expect(compensationSteps(saga)).toEqual(['RefundPayment:NothingToCompensate', 'ReleaseInventory:Compensated']);
  });

  it('fails at FulfillOrder and compensates CancelFulfillment, RefundPayment, ReleaseInventory', () => {
    const saga = fold(SAGA_PATHS['failed at FulfillOrder'] ?? []);
    expect(saga.status).toBe('Compensated');
    expect(saga.steps.map((step) => step.status)).toEqual(['Succeeded', 'Succeeded', 'Failed']);
    expect(compensationSteps(saga)).toEqual([
      'CancelFulfillment:NothingToCompensate',
      'RefundPayment:Compensated',
      'ReleaseInventory:Compensated',
    ]);
    expect(saga.compensation?.completedAt).toBe(at(6));
  });

  it('ends CompensationFailed when a compensation failed for good, after the remaining ones ran', () => {
    const saga = fold(SAGA_PATHS['refund failed for good'] ?? []);
    expect(saga.status).toBe('CompensationFailed');
    expect(saga.compensation?.steps[1]).toEqual({
      name: 'RefundPayment',
      status: 'Failed',
      attempts: 5,
      completedAt: at(5),
      error: 'RefundPayment failed after 5 attempts: simulated refund fault',
    });
    expect(compensationSteps(saga)).toEqual([
      'CancelFulfillment:NothingToCompensate',
      'RefundPayment:Failed',
      'ReleaseInventory:Compensated',
    ]);
    expect(orderStatusFor(saga)).toEqual({
      status: 'Failed',
      statusReason: 'Simulated fulfilment failure; compensation failed for RefundPayment: needs an operator',
    });
  });

  describe.each(Object.entries(SAGA_PATHS))('%s', (_path, events) => {
    const expected = fold(events);

    it('is not final before its last step or compensation event, whichever one is missing', () => {
      for (let missing = 0; missing < events.length; missing += 1) {
        if (events[missing]?.type === 'OrderCreated') continue;
        const saga = fold(events.filter((_, index) => index !== missing));
        expect(['Running', 'Compensating']).toContain(saga.status);
      }
    });

    it('ends the same way without OrderCreated, only without the start time it gives', () => {
      const saga = fold(events.filter((event) => event.type !== 'OrderCreated'));
      expect(saga.status).toBe(expected.status);
      expect(saga.compensation).toEqual(expected.compensation);
      expect(saga.steps.slice(1)).toEqual(expected.steps.slice(1));
      expect(saga.steps[0]).toEqual({ ...expected.steps[0], startedAt: expected.steps[0]?.completedAt });
      expect(saga.createdAt).toBe(at(1));
    });

    it('folds to the same record in every arrival order', () => {
      for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
    });

    it('ignores redelivered copies, however late their re-publication', () => {
      const copies = events.map((event) => ({ ...event, occurredAt: at(100) }));
      for (let seed = 1; seed <= 500; seed += 1) expect(fold(shuffled([...copies, ...events], seed))).toEqual(expected);
    });

    it('ignores other orders and the saga outcome events', () => {
      const noise = [
        sagaEvent('PaymentFailed', 1, { reason: 'other order', attempts: 1 }, 'another-order'),
        sagaEvent('OrderCompleted', 50, {}),
        sagaEvent('OrderFailed', 50, { reason: 'stale' }),
      ];
      expect(fold([...noise, ...events])).toEqual(expected);
    });
  });

  it('keeps a compensation that arrived before the failure it answers, and applies it once the failure is known', () => {
    const early = fold([orderCreated(0), inventoryReserved(1), paymentRefunded(3, 'NothingToCompensate')]);
    expect(early.status).toBe('Running');
    expect(early.compensation).toBeNull();
    const later = fold([orderCreated(0), inventoryReserved(1), paymentRefunded(3, 'NothingToCompensate'), paymentFailed(2)]);
    expect(later.status).toBe('Compensating');
    expect(compensationSteps(later)).toEqual(['RefundPayment:NothingToCompensate']);
  });

  it('waits for a late success before the failure point even when every compensation is in', () => {
    const saga = fold([orderCreated(0), paymentFailed(2), paymentRefunded(3, 'NothingToCompensate'), inventoryReleased(4)]);
    expect(saga.status).toBe('Compensating');
    expect(saga.steps[0]?.status).toBe('Running');
  });

  it('closes the record without OrderCreated, whose order-events copy may have been lost', () => {
    const saga = fold([inventoryReserved(1), paymentCompleted(2), orderFulfilled(3)]);
    expect(saga.status).toBe('Completed');
    expect(saga.createdAt).toBe(at(1));
    expect(saga.updatedAt).toBe(at(3));
    expect(saga.steps[0]).toMatchObject({ status: 'Succeeded', startedAt: at(1), completedAt: at(1) });
  });

  it('still waits for a late success before the failure point when OrderCreated is missing too', () => {
    const saga = fold([paymentFailed(2), paymentRefunded(3, 'NothingToCompensate'), inventoryReleased(4)]);
    expect(saga.status).toBe('Compensating');
    expect(saga.steps[0]?.status).toBe('Pending');
  });

  it('shows a finished step’s attempts from its outcome event, and 1 while it runs', () => {
    const running = fold([orderCreated(0), inventoryReserved(1, 3)]);
    expect(running.steps.map((step) => step.attempts)).toEqual([3, 1, 0]);
    const failed = fold([orderCreated(0), inventoryReserved(1, 3), sagaEvent('PaymentFailed', 2, { reason: 'gave up', attempts: 3 })]);
    expect(failed.steps.map((step) => `${step.status}:${step.attempts}`)).toEqual(['Succeeded:3', 'Failed:3', 'Pending:0']);
  });

  it('counts a step as failed when both its success and its failure were announced', () => {
    const saga = fold([orderCreated(0), inventoryReserved(1), inventoryReservationFailed(2, 'gave up'), inventoryReleased(3)]);
    expect(saga.status).toBe('Compensated');
    expect(saga.steps[0]).toMatchObject({ status: 'Failed', error: 'gave up' });
  });

  it('ignores compensations that are not in the failed step’s plan', () => {
    const events = [...(SAGA_PATHS['failed at ReserveInventory'] ?? []), paymentRefunded(5)];
    expect(compensationSteps(fold(events))).toEqual(['ReleaseInventory:NothingToCompensate']);
  });
});

describe('sagaOutcomeEvent', () => {
  it('announces nothing while the saga runs', () => {
    expect(sagaOutcomeEvent(fold([orderCreated(0)]), ORDER_ID)).toBeNull();
  });

  it.each([
    ['completed', 'OrderCompleted', {}],
    ['failed at ProcessPayment', 'OrderCancelled', { reason: 'Card declined by the issuer' }],
    [
      'refund failed for good',
      'OrderFailed',
      { reason: 'Simulated fulfilment failure; compensation failed for RefundPayment: needs an operator' },
    ],
  ])('announces the end of a saga that %s with %s, the same event every time', (path, type, data) => {
    const saga = fold(SAGA_PATHS[path] ?? []);
    const event = sagaOutcomeEvent(saga, 'corr-1');
    expect(event).toEqual({
      type,
      id: eventIdFor(ORDER_ID, type as 'OrderCompleted'),
      orderId: ORDER_ID,
      occurredAt: saga.updatedAt,
      correlationId: 'corr-1',
      data,
    });
  });
});

describe('paymentOutcome', () => {
  it.each([
    ['before any payment event', [orderCreated(0), inventoryReserved(1)], null],
    ['after the charge', [paymentCompleted(2)], { status: 'Captured', transactionId: 'txn-1' }],
    ['after a decline', [paymentFailed(2), paymentRefunded(3, 'NothingToCompensate')], { status: 'Declined', transactionId: null }],
    ['after a refund', [paymentCompleted(2), fulfillmentFailed(3), paymentRefunded(5)], { status: 'Refunded', transactionId: 'txn-1' }],
    ['after a failed refund', [paymentCompleted(2), paymentRefunded(5, 'Failed', 5, 'no')], { status: 'Captured', transactionId: 'txn-1' }],
  ])('%s', (_when, events, expected) => {
    expect(paymentOutcome(ORDER_ID, events)).toEqual(expected);
  });
});
