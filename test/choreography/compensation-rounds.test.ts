import { describe, expect, it } from 'vitest';
import { withRecordedEvent, withRoundsReopened, type ChoreographySagaDocument } from '../../src/choreography/saga-event-log';
import { foldChoreographySaga, paymentOutcome, sagaOutcomeEvent } from '../../src/domain/choreography-saga';
import { eventIdFor, parseEvent, type AnySagaEvent } from '../../src/domain';
import { ORDER_ID, SAGA_PATHS, sagaEvent } from './saga-events';

const failedForGood = SAGA_PATHS['refund failed for good'] ?? [];
const refundedInRound2 = sagaEvent('PaymentRefunded', 9, { outcome: 'Compensated', attempts: 1, error: null, round: 2 });

function recordAll(events: readonly AnySagaEvent[], start: ChoreographySagaDocument | null = null): ChoreographySagaDocument | null {
  let stored = start;
  for (const event of events) {
    const next = withRecordedEvent(stored, event);
    if (next) stored = JSON.parse(JSON.stringify(next)) as ChoreographySagaDocument;
  }
  return stored;
}

describe('compensation rounds', () => {
  it('gives a re-run compensation an event id of its own, and validates its round', () => {
    expect(refundedInRound2.id).toBe(eventIdFor(ORDER_ID, 'PaymentRefunded', 2));
    expect(refundedInRound2.id).not.toBe(eventIdFor(ORDER_ID, 'PaymentRefunded'));
    expect(parseEvent({ ...refundedInRound2, data: { ...refundedInRound2.data, round: 1 } }).ok).toBe(false);
  });

  it('counts the latest round of a compensation', () => {
    const saga = foldChoreographySaga(ORDER_ID, [...failedForGood, refundedInRound2]);
    expect(saga?.status).toBe('Compensated');
    expect(saga?.compensation?.steps[1]).toMatchObject({ name: 'RefundPayment', status: 'Compensated' });
    expect(paymentOutcome(ORDER_ID, [...failedForGood, refundedInRound2])?.status).toBe('Refunded');
  });

  it('waits for the reopened round: an outcome of an earlier round no longer counts', () => {
    expect(foldChoreographySaga(ORDER_ID, failedForGood, { RefundPayment: 2 })?.status).toBe('Compensating');
  });

  it('reopens a CompensationFailed saga, which then takes the new round and ends Compensated', () => {
    const failed = recordAll(failedForGood) as ChoreographySagaDocument;
    expect(failed.status).toBe('CompensationFailed');
    expect(withRecordedEvent(failed, refundedInRound2)).toBeNull();

    const reopened = withRoundsReopened(failed, { RefundPayment: 2 }) as ChoreographySagaDocument;
    expect(reopened.status).toBe('Compensating');
    expect(reopened.choreography?.rounds).toEqual({ RefundPayment: 2 });
    expect(withRoundsReopened(reopened, { RefundPayment: 2 })).toBeNull();

    const resumed = recordAll([refundedInRound2], reopened) as ChoreographySagaDocument;
    expect(resumed.status).toBe('Compensated');
    expect(resumed.choreography?.rounds).toEqual({ RefundPayment: 2 });
  });

  it('announces the end of a resumed saga under an id of the round', () => {
    const saga = foldChoreographySaga(ORDER_ID, failedForGood);
    if (!saga) throw new Error('no saga');
    expect(sagaOutcomeEvent(saga, ORDER_ID)?.id).toBe(eventIdFor(ORDER_ID, 'OrderFailed'));
    expect(sagaOutcomeEvent(saga, ORDER_ID, 2)?.id).toBe(eventIdFor(ORDER_ID, 'OrderFailed', 2));
  });
});
