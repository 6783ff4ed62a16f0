import type { Delivery, ParticipantLog } from '../../src/choreography/delivery';
import {
  withDecision,
  withRoundReopened,
  type Decision,
  type DecisionStore,
  type SagaActionName,
} from '../../src/choreography/decisions';
import type { ChoreographySagaStore, ParticipantBasics } from '../../src/choreography/participant-ports';
import type { ChoreographySagaDocument } from '../../src/choreography/saga-event-log';
import type { AnySagaEvent, StoredOrder } from '../../src/domain';
import { RecordNotFound, type Clock, type EventPublisher, type OrderRepository, type SagaRepository } from '../../src/services/ports';
import { SagaRecordService } from '../../src/services/saga-record-service';
import { aStoredOrder } from '../data/builders';
import { ORDER_ID, at } from './saga-events';

/** A stand-in that throws on its next `count` calls, then behaves. */
export class Faults {
  private remaining = 0;
  constructor(private readonly message = 'Cosmos DB is unavailable (503)') {}
  next(count: number): this {
    this.remaining = count;
    return this;
  }
  always(): this {
    this.remaining = Number.POSITIVE_INFINITY;
    return this;
  }
  check(): void {
    if (this.remaining > 0) {
      this.remaining -= 1;
      throw new Error(this.message);
    }
  }
}

export class InMemoryOrders implements Pick<OrderRepository, 'get' | 'update'> {
  readonly byId = new Map<string, StoredOrder>();
  readonly faults = new Faults();

  constructor(...orders: StoredOrder[]) {
    for (const order of orders) this.byId.set(order.id, order);
  }

  async get(orderId: string): Promise<StoredOrder | null> {
    this.faults.check();
    return structuredClone(this.byId.get(orderId) ?? null);
  }

  async update(orderId: string, change: (order: StoredOrder) => StoredOrder | null): Promise<StoredOrder> {
    this.faults.check();
    const found = this.byId.get(orderId);
    if (!found) throw new RecordNotFound(`Order ${orderId} does not exist`);
    const changed = change(structuredClone(found));
    if (changed) this.byId.set(orderId, structuredClone(changed));
    return structuredClone(this.byId.get(orderId) as StoredOrder);
  }
}

/** Documents go through JSON, as they would through Cosmos DB. */
export class InMemorySagas implements ChoreographySagaStore {
  readonly byId = new Map<string, ChoreographySagaDocument>();
  readonly faults = new Faults();
  writes = 0;

  async get(orderId: string): Promise<ChoreographySagaDocument | null> {
    this.faults.check();
    const stored = this.byId.get(orderId);
    return stored ? JSON.parse(JSON.stringify(stored)) : null;
  }

  async update(
    orderId: string,
    change: (stored: ChoreographySagaDocument | null) => ChoreographySagaDocument | null,
  ): Promise<ChoreographySagaDocument | null> {
    this.faults.check();
    const current = this.byId.get(orderId);
    const changed = change(current ? JSON.parse(JSON.stringify(current)) : null);
    if (changed) {
      this.byId.set(orderId, JSON.parse(JSON.stringify(changed)));
      this.writes += 1;
    }
    const stored = this.byId.get(orderId);
    return stored ? JSON.parse(JSON.stringify(stored)) : null;
  }
}

/** Decision records with the semantics of the Cosmos store: the first decision of a round wins. */
export class InMemoryDecisions implements DecisionStore {
  readonly byId = new Map<string, Decision>();
  readonly faults = new Faults();
  writes = 0;

  async get(orderId: string, name: SagaActionName): Promise<Decision | null> {
    this.faults.check();
    return this.read(orderId, name);
  }

  async decide(orderId: string, name: SagaActionName, announce: (round: number) => AnySagaEvent): Promise<Decision> {
    this.faults.check();
    return this.write(orderId, name, withDecision(this.read(orderId, name), orderId, name, announce));
  }

  async reopen(orderId: string, name: SagaActionName, failedRound: number): Promise<Decision> {
    this.faults.check();
    return this.write(orderId, name, withRoundReopened(this.read(orderId, name), failedRound));
  }

  private read(orderId: string, name: SagaActionName): Decision | null {
    const found = this.byId.get(`${orderId}:${name}`);
    return found ? (JSON.parse(JSON.stringify(found)) as Decision) : null;
  }

  private write(orderId: string, name: SagaActionName, next: Decision | null): Decision {
    if (next) {
      this.byId.set(`${orderId}:${name}`, JSON.parse(JSON.stringify(next)) as Decision);
      this.writes += 1;
    }
    const stored = this.read(orderId, name);
    if (!stored) throw new Error(`Decision ${orderId}:${name} does not exist`);
    return stored;
  }
}

/** The choreography keeps its saga documents through its own store: the saga record service only updates orders. */
const sagasOutOfReach: Pick<SagaRepository, 'get' | 'save'> = {
  get: () => Promise.reject(new Error('the order participant reads sagas through its saga store')),
  save: () => Promise.reject(new Error('the order participant writes sagas through its saga store')),
};

export function sagaRecordsOver(orders: InMemoryOrders, clock: Clock): SagaRecordService {
  return new SagaRecordService({ sagas: sagasOutOfReach, orders, clock });
}

export class RecordingPublisher implements EventPublisher {
  readonly published: AnySagaEvent[] = [];
  readonly faults = new Faults('Service Bus is unavailable');

  async publish(events: readonly AnySagaEvent[]): Promise<void> {
    this.faults.check();
    this.published.push(...events);
  }

  types(): string[] {
    return this.published.map((event) => event.type);
  }
}

export class RecordingLog implements ParticipantLog {
  readonly lines: Array<{ level: 'info' | 'warn' | 'error'; message: string }> = [];
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  errors(): string[] {
    return this.lines.filter((line) => line.level === 'error').map((line) => line.message);
  }
}

export const NOW = at(60);

export function basics(orders = new InMemoryOrders(aStoredOrder({ id: ORDER_ID, sagaStyle: 'choreography' }))) {
  const pauses: number[] = [];
  const deps = {
    orders,
    decisions: new InMemoryDecisions(),
    publisher: new RecordingPublisher(),
    clock: { now: () => new Date(NOW) },
    pause: async (ms: number) => {
      pauses.push(ms);
    },
  } satisfies ParticipantBasics & { orders: InMemoryOrders };
  return { ...deps, pauses };
}

export function deliveryOf(event: AnySagaEvent | unknown, deliveryCount = 1, log = new RecordingLog()): Delivery & { log: RecordingLog } {
  const messageId = typeof event === 'object' && event !== null && 'id' in event ? String(event.id) : 'msg-unparsed';
  return { body: JSON.parse(JSON.stringify(event)) as unknown, messageId, deliveryCount, log };
}
