import type { AnySagaEvent } from '../../../src/domain';
import type { ClosablePublisher } from '../../../src/messaging';
import type { PublishOptions } from '../../../src/services/ports';

/** Keeps what was published; `failing` makes the broker look unreachable. */
export class RecordingPublisher implements ClosablePublisher {
  readonly events: AnySagaEvent[] = [];
  /** The `resend` option of each call that went through (undefined for a first send). */
  readonly resends: Array<string | undefined> = [];
  failing = false;

  async publish(events: readonly AnySagaEvent[], options?: PublishOptions): Promise<void> {
    if (this.failing) throw new Error('broker unreachable');
    this.events.push(...events);
    this.resends.push(options?.resend);
  }

  async close(): Promise<void> {}
}
