import type { FulfillmentService } from '../services/fulfillment-service';
import type { InventoryService } from '../services/inventory-service';
import type { PaymentService } from '../services/payment-service';
import type { Clock, EventPublisher, OrderRepository, SagaRepository } from '../services/ports';
import type { SagaRecordService } from '../services/saga-record-service';
import type { DecisionStore } from './decisions';
import type { ChoreographySagaDocument } from './saga-event-log';

export type InventoryOperations = Pick<InventoryService, 'reserve' | 'release'>;
export type PaymentOperations = Pick<PaymentService, 'charge' | 'refund'>;
export type FulfillmentOperations = Pick<FulfillmentService, 'fulfil' | 'cancel'>;

/** The saga document with its event log, changed by read-modify-replace with If-Match. */
export type ChoreographySagaStore = Pick<SagaRepository<ChoreographySagaDocument>, 'update'>;

/** What every participant needs besides its own operations. */
export interface ParticipantBasics {
  orders: Pick<OrderRepository, 'get'>;
  /** How each step and compensation turned out: what is announced, on every delivery, comes from here. */
  decisions: DecisionStore;
  publisher: EventPublisher;
  clock: Clock;
  /**
   * Waits before a transient fault is handed back to Service Bus: the broker redelivers at once, so this
   * pause is the only back-off between attempts.
   */
  pause(ms: number): Promise<void>;
}

export interface InventoryParticipantDeps extends ParticipantBasics {
  inventory: InventoryOperations;
}

export interface PaymentParticipantDeps extends ParticipantBasics {
  payment: PaymentOperations;
}

export interface FulfillmentParticipantDeps extends ParticipantBasics {
  fulfillment: FulfillmentOperations;
}

export interface OrderParticipantDeps extends Omit<ParticipantBasics, 'orders' | 'decisions'> {
  sagas: ChoreographySagaStore;
  /** Brings the order in line with the saga, as the orchestrated style does. */
  sagaRecords: Pick<SagaRecordService, 'applyToOrder'>;
}

/** Everything the four participants need; the composition root builds it once per process. */
export type ChoreographyParticipants = InventoryParticipantDeps & PaymentParticipantDeps & FulfillmentParticipantDeps & OrderParticipantDeps;
