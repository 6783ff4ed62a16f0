import type { AnySagaEvent } from '../../src/domain';
import type { Clock, EventPublisher } from '../../src/services/ports';

export class RecordingPublisher implements EventPublisher {
  readonly published: AnySagaEvent[] = [];
  failing = false;

  async publish(events: readonly AnySagaEvent[]): Promise<void> {
    if (this.failing) throw new Error('broker unavailable');
    this.published.push(...events);
  }
}

export class ManualClock implements Clock {
  constructor(private current: Date = new Date('2025-03-01T12:00:00.000Z')) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

export class RecordingLog {
  readonly warnings: unknown[][] = [];

  warn(message: string, ...details: unknown[]): void {
    this.warnings.push([message, ...details]);
  }
}
