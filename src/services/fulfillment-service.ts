import { createHash } from 'node:crypto';
import { businessFailure, decideShipping, succeeded, type SagaOrder, type StepResult } from '../domain';
import type { Clock, CompensationOutcome, ShipmentRecord, ShipmentRepository } from './ports';

/** Derived from the order, so a retried fulfilment reports the same parcel. */
export function trackingNumberFor(orderId: string): string {
  return `TRK${createHash('sha256').update(`shipment:${orderId}`).digest('hex').slice(0, 16).toUpperCase()}`;
}

/** A cancellation that found nothing shipped leaves this marker, so a late fulfilment cannot ship after it. */
const NEVER_SHIPPED = '';

/** The FulfillOrder step and its compensation, CancelFulfillment. One shipment record per order. */
export class FulfillmentService {
  constructor(private readonly deps: { shipments: ShipmentRepository; clock: Clock }) {}

  async fulfil(order: SagaOrder): Promise<StepResult<{ trackingNumber: string }>> {
    // "refund" fails fulfilment first so that RefundPayment then has a captured payment to fail on.
    if (order.simulateFailure === 'fulfillment' || order.simulateFailure === 'refund') {
      return businessFailure('Simulated fulfilment failure');
    }
    const shipping = decideShipping(order.shippingCountry);
    if (!shipping.deliverable) return businessFailure(shipping.reason);

    const { record } = await this.deps.shipments.createOnce(this.shipment(order, 'Shipped', trackingNumberFor(order.orderId)));
    if (record.status === 'Cancelled') return businessFailure('Fulfilment was cancelled');
    return succeeded({ trackingNumber: record.trackingNumber });
  }

  async cancel(order: SagaOrder): Promise<CompensationOutcome> {
    const { created, record } = await this.deps.shipments.createOnce(this.shipment(order, 'Cancelled', NEVER_SHIPPED));
    if (created) return 'NothingToCompensate';
    if (record.status === 'Cancelled') return record.trackingNumber === NEVER_SHIPPED ? 'NothingToCompensate' : 'Compensated';
    const now = this.deps.clock.now().toISOString();
    await this.deps.shipments.update(order.orderId, (current) =>
      current.status === 'Shipped' ? { ...current, status: 'Cancelled', updatedAt: now } : null,
    );
    return 'Compensated';
  }

  private shipment(order: SagaOrder, status: ShipmentRecord['status'], trackingNumber: string): ShipmentRecord {
    const now = this.deps.clock.now().toISOString();
    return { orderId: order.orderId, status, trackingNumber, country: order.shippingCountry, createdAt: now, updatedAt: now };
  }
}
