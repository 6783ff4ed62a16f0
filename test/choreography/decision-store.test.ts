import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDecisionStore } from '../../src/choreography/decision-store';
import { createEvent, type AnySagaEvent } from '../../src/domain';
import { useCosmosFixture } from '../data/cosmos-fixture';

const cosmos = useCosmosFixture();

const reserved = (orderId: string, second: number) => (): AnySagaEvent =>
  createEvent('InventoryReserved', {
    orderId,
    occurredAt: new Date(Date.UTC(2025, 2, 1, 10, 0, second)).toISOString(),
    data: { items: [{ productId: 'dog-leash', quantity: 1 }], attempts: 1 },
  });
const reservationFailed = (orderId: string) => (): AnySagaEvent =>
  createEvent('InventoryReservationFailed', { orderId, occurredAt: '2025-03-01T10:00:09.000Z', data: { reason: 'gave up', attempts: 3 } });
const refunded = (orderId: string, outcome: 'Failed' | 'Compensated') => (round: number): AnySagaEvent =>
  createEvent('PaymentRefunded', {
    orderId,
    occurredAt: `2025-03-01T10:00:0${round}.000Z`,
    data: { outcome, attempts: 5, error: outcome === 'Failed' ? 'no' : null, ...(round > 1 ? { round } : {}) },
  });

describe('decision records in Cosmos DB', () => {
  it('keeps the first decision for ever: a later failure gets the earlier success back', async () => {
    const store = createDecisionStore(cosmos.current.containers.decisions);
    const orderId = `ord-${randomUUID()}`;
    expect(await store.get(orderId, 'ReserveInventory')).toBeNull();

    const first = await store.decide(orderId, 'ReserveInventory', reserved(orderId, 1));
    const later = await store.decide(orderId, 'ReserveInventory', reservationFailed(orderId));
    expect(later).toEqual(first);
    expect(later.announcement).toEqual(reserved(orderId, 1)());
    expect(await store.get(orderId, 'ReserveInventory')).toEqual(first);

    const { resource } = await cosmos.current.containers.decisions.item(`${orderId}:ReserveInventory`, orderId).read();
    expect(resource).toMatchObject({ id: `${orderId}:ReserveInventory`, orderId, name: 'ReserveInventory', round: 1, decidedAt: '2025-03-01T10:00:01.000Z' });
  });

  it('lets one of many concurrent deliveries decide, and gives them all its decision', async () => {
    const store = createDecisionStore(cosmos.current.containers.decisions);
    const orderId = `ord-${randomUUID()}`;
    const racers = Array.from({ length: 8 }, (_, index) =>
      store.decide(orderId, 'ReserveInventory', index % 2 === 0 ? reserved(orderId, index) : reservationFailed(orderId)),
    );
    const decided = await Promise.all(racers);
    expect(new Set(decided.map((decision) => JSON.stringify(decision))).size).toBe(1);
  });

  it('opens a new round only for a compensation that failed, and the round is decided once', async () => {
    const store = createDecisionStore(cosmos.current.containers.decisions);
    const orderId = `ord-${randomUUID()}`;
    await store.decide(orderId, 'RefundPayment', refunded(orderId, 'Failed'));
    const open = await store.reopen(orderId, 'RefundPayment', 1);
    expect(open).toMatchObject({ round: 2, announcement: null });
    expect(await store.reopen(orderId, 'RefundPayment', 1)).toEqual(open);

    const round2 = await store.decide(orderId, 'RefundPayment', refunded(orderId, 'Compensated'));
    expect(round2.announcement).toMatchObject({ data: { outcome: 'Compensated', round: 2 } });
    expect(await store.reopen(orderId, 'RefundPayment', 2)).toEqual(round2);
    expect(await store.decide(orderId, 'RefundPayment', refunded(orderId, 'Failed'))).toEqual(round2);
  });
});
