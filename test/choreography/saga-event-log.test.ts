import { describe, expect, it } from 'vitest';
import { publicSaga, recordedEvents, withRecordedEvent, type ChoreographySagaDocument } from '../../src/choreography/saga-event-log';
import { foldChoreographySaga } from '../../src/domain/choreography-saga';
import { startSaga, type AnySagaEvent } from '../../src/domain';
import { ORDER_ID, SAGA_PATHS, at, inventoryReserved, orderCreated, shuffled, withoutOrderCreated } from './saga-events';

/** Adds events one at a time, through JSON like a stored document. */
function recordAll(events: readonly AnySagaEvent[], start: ChoreographySagaDocument | null = null): ChoreographySagaDocument | null {
  let stored = start;
  for (const event of events) {
    const next = withRecordedEvent(stored, event);
    if (next) stored = JSON.parse(JSON.stringify(next)) as ChoreographySagaDocument;
  }
  return stored;
}

describe('the saga event log', () => {
  it('starts the saga document with the first event', () => {
    const document = withRecordedEvent(null, orderCreated(0)) as ChoreographySagaDocument;
    expect(document.status).toBe('Running');
    expect(document.choreography?.events).toEqual([orderCreated(0)]);
  });

  it.each(Object.entries(SAGA_PATHS))('records %s to the same public record in any order, with copies', (_path, events) => {
    for (let seed = 1; seed <= 50; seed += 1) {
      const stored = recordAll(shuffled([...events, ...events], seed)) as ChoreographySagaDocument;
      // The saga can close before OrderCreated arrives; a final saga then takes nothing more.
      const startKnown = recordedEvents(stored).some((event) => event.type === 'OrderCreated');
      const recorded = startKnown ? events : withoutOrderCreated(events);
      expect(recordedEvents(stored)).toHaveLength(recorded.length);
      expect(publicSaga(stored)).toEqual(foldChoreographySaga(ORDER_ID, recorded));
    }
  });

  it('closes a saga whose OrderCreated never arrived, and then ignores the late OrderCreated', () => {
    const final = recordAll(withoutOrderCreated(SAGA_PATHS.completed ?? [])) as ChoreographySagaDocument;
    expect(final.status).toBe('Completed');
    expect(withRecordedEvent(final, orderCreated(0))).toBeNull();
  });

  it('changes nothing for a recorded event, a final saga or an orchestrated saga', () => {
    const running = recordAll([orderCreated(0)]) as ChoreographySagaDocument;
    expect(withRecordedEvent(running, orderCreated(0))).toBeNull();
    const final = recordAll(SAGA_PATHS.completed ?? []) as ChoreographySagaDocument;
    expect(withRecordedEvent(final, inventoryReserved(9))).toBeNull();
    const orchestrated = startSaga({ orderId: ORDER_ID, sagaStyle: 'orchestration', instanceId: ORDER_ID, now: at(0) });
    expect(withRecordedEvent(orchestrated, orderCreated(0))).toBeNull();
  });

  it('keeps the first announcement of a fact when a later copy arrived first', () => {
    const laterCopy = inventoryReserved(7, 2);
    const stored = recordAll([orderCreated(0), laterCopy, inventoryReserved(1, 1)]) as ChoreographySagaDocument;
    expect(recordedEvents(stored).map((event) => event.occurredAt)).toEqual([at(0), at(1)]);
    expect(stored.steps[0]).toMatchObject({ attempts: 1, completedAt: at(1) });
  });

  it('refuses a log that no longer parses', () => {
    const stored = { ...(recordAll([orderCreated(0)]) as ChoreographySagaDocument), choreography: { events: [{ type: 'Nope' }] } };
    expect(() => recordedEvents(stored)).toThrow(/recorded event 0 is invalid/);
  });

  it('never shows the log in the public record', () => {
    const stored = recordAll(SAGA_PATHS.completed ?? []) as ChoreographySagaDocument;
    expect(Object.keys(publicSaga(stored)).sort()).toEqual(
      ['compensation', 'createdAt', 'instanceId', 'orderId', 'sagaStyle', 'status', 'steps', 'updatedAt'].sort(),
    );
  });
});
