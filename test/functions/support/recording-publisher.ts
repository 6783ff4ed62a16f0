import type { AnySagaEvent } from '../../../src/domain';
import type { ClosablePublisher } from '../../../src/messaging';

/** Keeps what was published; `failing` makes the broker look unreachable. */
export class RecordingPublisher implements ClosablePublisher {
  readonly events: AnySagaEvent[] = [];
  failing = false;

  async publish(events: readonly AnySagaEvent[]): Promise<void> {
    if (this.failing) throw new Error('broker unreachable');
    this.events.push(...events);
  }

  async close(): Promise<void> {}
}
