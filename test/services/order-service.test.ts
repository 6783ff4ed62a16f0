import { beforeAll, describe, expect, it } from 'vitest';
import { eventIdFor, parseEvent, type AnySagaEvent } from '../../src/domain';
import { ensureDemoCatalog } from '../../src/services/catalog-service';
import { OrderService } from '../../src/services/order-service';
import { PaymentService } from '../../src/services/payment-service';
import { expectNoCardData } from '../support/card-data';
import { InvalidContinuationToken, type EventPublisher, type PublishOptions } from '../../src/services/ports';
import { useCosmosFixture, type CosmosFixture } from '../data/cosmos-fixture';
import { ManualClock, RecordingLog, RecordingPublisher } from './fakes';
import { anOrderRequest } from './requests';

/** A broker that takes the connection and never answers: publish settles only when aborted. */
class SilentPublisher implements EventPublisher {
  readonly calls: Array<{ events: readonly AnySagaEvent[]; options: PublishOptions | undefined }> = [];
  constructor(private readonly honoursAbort: boolean) {}

  publish(events: readonly AnySagaEvent[], options?: PublishOptions): Promise<void> {
    this.calls.push({ events, options });
    return new Promise((_, reject) => {
      if (this.honoursAbort) options?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
    });
  }
}

function setUp(
  fixture: CosmosFixture,
  options: { allowFailureSimulation?: boolean; publisher?: EventPublisher; publishTimeoutMs?: number } = {},
) {
  const publisher = new RecordingPublisher();
  const clock = new ManualClock();
  const log = new RecordingLog();
  const { orders, products, payments, paymentMethods } = fixture.repositories;
  const service = new OrderService({
    orders,
    products,
    publisher: options.publisher ?? publisher,
    cards: new PaymentService({ payments, paymentMethods, clock }),
    clock,
    log,
    allowFailureSimulation: options.allowFailureSimulation ?? true,
    ...(options.publishTimeoutMs === undefined ? {} : { publishTimeoutMs: options.publishTimeoutMs }),
  });
  return { service, publisher, clock, log, orders, paymentMethods };
}

describe('OrderService.placeOrder', () => {
  const cosmos = useCosmosFixture();
  beforeAll(async () => {
    await ensureDemoCatalog(cosmos.current.repositories.products);
  });

  it('accepts an order priced from the catalog, stores it Pending and announces OrderCreated', async () => {
    const { service, publisher, orders, paymentMethods } = setUp(cosmos.current);
    const result = await service.placeOrder(anOrderRequest(), { correlationId: 'corr-1' });
    if (result.kind !== 'accepted') throw new Error(`expected accepted, got ${result.kind}`);

    const { order } = result;
    expect(result.published).toBe(true);
    expect(order.id).toMatch(/^ord-[0-9a-f]{32}$/);
    expect(order).toMatchObject({
      customerId: 'cust-42',
      sagaStyle: 'orchestration',
      status: 'Pending',
      statusReason: null,
      totalAmount: 62.48,
      currency: 'USD',
      payment: { method: 'card', last4: '4242', status: 'Pending', transactionId: null },
      createdAt: '2025-03-01T12:00:00.000Z',
    });
    expect(order.items).toEqual([
      { productId: 'dog-food-5kg', productName: 'Dog food 5 kg', quantity: 2, unitPrice: 24.99 },
      { productId: 'cat-food-2kg', productName: 'Cat food 2 kg', quantity: 1, unitPrice: 12.5 },
    ]);
    expect(order).not.toHaveProperty('paymentReference');

    // The order keeps an opaque reference; the payment step keeps the issuer's verdict under it, and nothing
    // anywhere keeps the number or anything computed from it.
    const stored = await orders.get(order.id);
    expect(stored?.paymentReference).toMatch(/^pmr-[0-9a-f]{32}$/);
    expectNoCardData(JSON.stringify(stored), '4242424242424242', 'the stored order');
    const card = await paymentMethods.get(order.id);
    expect(card).toEqual({
      orderId: order.id,
      paymentReference: stored?.paymentReference,
      issuerVerdict: 'approve',
      createdAt: '2025-03-01T12:00:00.000Z',
    });
    expectNoCardData(JSON.stringify(card), '4242424242424242', 'the kept card');
    expectNoCardData(JSON.stringify(publisher.published), '4242424242424242', 'OrderCreated');

    expect(publisher.published).toHaveLength(1);
    const event = publisher.published[0];
    expect(parseEvent(JSON.parse(JSON.stringify(event))).ok).toBe(true);
    expect(event).toMatchObject({
      type: 'OrderCreated',
      id: eventIdFor(order.id, 'OrderCreated'),
      orderId: order.id,
      correlationId: order.id,
      data: { customerId: 'cust-42', totalAmount: 62.48, currency: 'USD', sagaStyle: 'orchestration' },
    });
  });

  it('gives each order without an Idempotency-Key its own id', async () => {
    const { service } = setUp(cosmos.current);
    const first = await service.placeOrder(anOrderRequest(), { correlationId: 'c' });
    const second = await service.placeOrder(anOrderRequest(), { correlationId: 'c' });
    expect(first.kind).toBe('accepted');
    expect(second.kind).toBe('accepted');
    if (first.kind === 'accepted' && second.kind === 'accepted') expect(first.order.id).not.toBe(second.order.id);
  });

  it('names unknown products and stores and publishes nothing', async () => {
    const { service, publisher } = setUp(cosmos.current);
    const request = anOrderRequest({
      customerId: 'cust-unknown',
      items: [
        { productId: 'dog-food-5kg', quantity: 1 },
        { productId: 'unicorn-saddle', quantity: 1 },
      ],
    });
    expect(await service.placeOrder(request, { correlationId: 'c' })).toEqual({
      kind: 'unknown-products',
      productIds: ['unicorn-saddle'],
    });
    expect(publisher.published).toHaveLength(0);
    expect((await service.listOrders({ customerId: 'cust-unknown', limit: 10 })).items).toHaveLength(0);
  });

  it('refuses simulateFailure when failure simulation is off, and allows ordinary orders', async () => {
    const { service, publisher } = setUp(cosmos.current, { allowFailureSimulation: false });
    expect(await service.placeOrder(anOrderRequest({ simulateFailure: 'payment' }), { correlationId: 'c' })).toEqual({
      kind: 'simulation-disabled',
    });
    expect(publisher.published).toHaveLength(0);
    expect((await service.placeOrder(anOrderRequest(), { correlationId: 'c' })).kind).toBe('accepted');
  });

  it('stores the failure simulation when it is allowed', async () => {
    const { service, orders } = setUp(cosmos.current);
    const result = await service.placeOrder(anOrderRequest({ simulateFailure: 'refund' }), { correlationId: 'c' });
    if (result.kind !== 'accepted') throw new Error(result.kind);
    expect((await orders.get(result.order.id))?.simulateFailure).toBe('refund');
  });
});

describe('OrderService idempotency', () => {
  const cosmos = useCosmosFixture();
  beforeAll(async () => {
    await ensureDemoCatalog(cosmos.current.repositories.products);
  });

  it('replays the first order for the same key and body, and starts nothing new', async () => {
    const { service, publisher, orders } = setUp(cosmos.current);
    const first = await service.placeOrder(anOrderRequest(), { idempotencyKey: 'key-1', correlationId: 'c1' });
    if (first.kind !== 'accepted') throw new Error(first.kind);
    expect(first.order.id).toMatch(/^ord-[0-9a-f]{24}$/);

    // The same body, written differently: spaces in the card number, the default saga style spelled out.
    const again = anOrderRequest({ payment: { method: 'card', cardNumber: '4242 4242 4242 4242' }, sagaStyle: 'orchestration' });
    expect(await service.placeOrder(again, { idempotencyKey: 'key-1', correlationId: 'c2' })).toEqual({
      kind: 'replayed',
      order: first.order,
    });
    expect(publisher.published).toHaveLength(1);

    const stored = await orders.get(first.order.id);
    expect(stored?.idempotencyKeyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.idempotencyKeyHash).not.toContain('key-1');
  });

  it('reports a conflict for the same key with another body', async () => {
    const { service, publisher } = setUp(cosmos.current);
    const first = await service.placeOrder(anOrderRequest(), { idempotencyKey: 'key-2', correlationId: 'c' });
    if (first.kind !== 'accepted') throw new Error(first.kind);
    const other = anOrderRequest({ items: [{ productId: 'dog-leash', quantity: 1 }] });
    expect(await service.placeOrder(other, { idempotencyKey: 'key-2', correlationId: 'c' })).toEqual({ kind: 'idempotency-conflict' });
    expect(publisher.published).toHaveLength(1);
  });

  it('treats another card as another body', async () => {
    const { service } = setUp(cosmos.current);
    await service.placeOrder(anOrderRequest(), { idempotencyKey: 'key-3', correlationId: 'c' });
    const otherCard = anOrderRequest({ payment: { method: 'card', cardNumber: '5555555555554444' } });
    expect((await service.placeOrder(otherCard, { idempotencyKey: 'key-3', correlationId: 'c' })).kind).toBe('idempotency-conflict');
  });

  it('scopes a key to its customer: the same key from two customers places two orders', async () => {
    const { service } = setUp(cosmos.current);
    const ada = await service.placeOrder(anOrderRequest({ customerId: 'cust-ada' }), { idempotencyKey: 'shared', correlationId: 'c' });
    const bob = await service.placeOrder(anOrderRequest({ customerId: 'cust-bob', items: [{ productId: 'dog-leash', quantity: 1 }] }), {
      idempotencyKey: 'shared',
      correlationId: 'c',
    });
    if (ada.kind !== 'accepted' || bob.kind !== 'accepted') throw new Error(`${ada.kind} / ${bob.kind}`);
    expect(bob.order.id).not.toBe(ada.order.id);
    expect(bob.order.customerId).toBe('cust-bob');
    const adaAgain = await service.placeOrder(anOrderRequest({ customerId: 'cust-ada' }), { idempotencyKey: 'shared', correlationId: 'c' });
    expect(adaAgain).toEqual({ kind: 'replayed', order: ada.order });
  });

  it('keeps the card of the first attempt when a keyed request is retried', async () => {
    const { service, orders, paymentMethods } = setUp(cosmos.current);
    const first = await service.placeOrder(anOrderRequest(), { idempotencyKey: 'key-card', correlationId: 'c' });
    if (first.kind !== 'accepted') throw new Error(first.kind);
    const kept = await paymentMethods.get(first.order.id);
    expect((await service.placeOrder(anOrderRequest(), { idempotencyKey: 'key-card', correlationId: 'c' })).kind).toBe('replayed');
    expect(await paymentMethods.get(first.order.id)).toEqual(kept);
    expect((await orders.get(first.order.id))?.paymentReference).toBe(kept?.paymentReference);
  });

  it('keeps different keys apart', async () => {
    const { service } = setUp(cosmos.current);
    const a = await service.placeOrder(anOrderRequest(), { idempotencyKey: 'key-a', correlationId: 'c' });
    const b = await service.placeOrder(anOrderRequest(), { idempotencyKey: 'key-b', correlationId: 'c' });
    expect(a.kind).toBe('accepted');
    expect(b.kind).toBe('accepted');
  });
});

describe('OrderService when the broker is down', () => {
  const cosmos = useCosmosFixture();
  beforeAll(async () => {
    await ensureDemoCatalog(cosmos.current.repositories.products);
  });

  it('still accepts the order, and the sweeper republishes the same OrderCreated later', async () => {
    const { service, publisher, clock, log, orders } = setUp(cosmos.current);
    publisher.failing = true;
    const stranded = await service.placeOrder(anOrderRequest(), { correlationId: 'corr-down' });
    if (stranded.kind !== 'accepted') throw new Error(stranded.kind);
    expect(stranded.published).toBe(false);
    expect(await orders.get(stranded.order.id)).not.toBeNull();
    expect(log.warnings).toHaveLength(1);
    expect(String(log.warnings[0]?.[0])).toContain(stranded.order.id);

    publisher.failing = false;
    clock.advance(30);
    const running = await service.placeOrder(anOrderRequest(), { correlationId: 'c' });
    if (running.kind !== 'accepted') throw new Error(running.kind);
    await orders.update(running.order.id, (order) => ({ ...order, status: 'Processing' }));
    const recent = await service.placeOrder(anOrderRequest(), { correlationId: 'c' });
    publisher.published.length = 0;

    expect(await service.republishPendingOrders(60)).toBe(0);
    clock.advance(31);
    expect(await service.republishPendingOrders(60)).toBe(1);
    expect(publisher.published).toHaveLength(1);
    expect(publisher.published[0]).toMatchObject({
      type: 'OrderCreated',
      id: eventIdFor(stranded.order.id, 'OrderCreated'),
      orderId: stranded.order.id,
      occurredAt: stranded.order.createdAt,
    });
    expect(recent.kind).toBe('accepted');
  });

  it.each([
    ['aborts the send', true],
    ['ignores the abort', false],
  ])('answers within the publish timeout when the broker never answers and the publisher %s', async (_label, honoursAbort) => {
    const silent = new SilentPublisher(honoursAbort);
    const { service, log, orders } = setUp(cosmos.current, { publisher: silent, publishTimeoutMs: 300 });
    const started = performance.now();
    const placed = await service.placeOrder(anOrderRequest(), { correlationId: 'corr-silent' });
    const elapsed = performance.now() - started;

    if (placed.kind !== 'accepted') throw new Error(placed.kind);
    expect(placed.published).toBe(false);
    expect(placed.order.status).toBe('Pending');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(5_000);
    expect(await orders.get(placed.order.id)).toMatchObject({ status: 'Pending' });
    expect(silent.calls[0]?.options?.signal?.aborted).toBe(true);
    expect(String(log.warnings[0]?.[0])).toContain('the pending-order sweeper will republish it');
    expect(log.warnings[0]?.[1]).toMatchObject({ error: 'the broker did not take it within 300 ms' });
  });

  it('sends a republished OrderCreated under a new message id on every sweep, with the same event', async () => {
    const resends: Array<string | undefined> = [];
    const recording: EventPublisher = {
      async publish(_events, options) {
        resends.push(options?.resend);
      },
    };
    const { service, clock, orders } = setUp(cosmos.current, { publisher: recording });
    const placed = await service.placeOrder(anOrderRequest(), { correlationId: 'c' });
    if (placed.kind !== 'accepted') throw new Error(placed.kind);
    await orders.update(placed.order.id, (order) => ({ ...order, createdAt: '2000-01-01T00:00:00.000Z' }));
    resends.length = 0;

    await service.republishPendingOrders(60);
    clock.advance(30);
    await service.republishPendingOrders(60);
    expect(resends).toHaveLength(2);
    expect(resends.every((resend) => typeof resend === 'string')).toBe(true);
    expect(resends[0]).not.toBe(resends[1]);
  });

  it('lets a publish failure during the sweep surface, so the next sweep tries again', async () => {
    const { service, publisher, clock } = setUp(cosmos.current);
    clock.advance(3600);
    publisher.failing = true;
    await expect(service.republishPendingOrders(60)).rejects.toThrow('broker unavailable');
  });
});

describe('OrderService reads', () => {
  const cosmos = useCosmosFixture();
  beforeAll(async () => {
    await ensureDemoCatalog(cosmos.current.repositories.products);
  });

  it('gets an order by id as the public shape, or null', async () => {
    const { service, orders } = setUp(cosmos.current);
    const placed = await service.placeOrder(anOrderRequest(), { correlationId: 'c' });
    if (placed.kind !== 'accepted') throw new Error(placed.kind);
    expect(await service.getOrder(placed.order.id)).toEqual(placed.order);
    expect(await service.getOrder('ord-nope')).toBeNull();
    expect(await service.getSagaOrder(placed.order.id)).toMatchObject({
      orderId: placed.order.id,
      paymentReference: (await orders.get(placed.order.id))?.paymentReference,
      shippingCountry: 'US',
      items: [
        { productId: 'dog-food-5kg', quantity: 2 },
        { productId: 'cat-food-2kg', quantity: 1 },
      ],
    });
    expect(await service.getSagaOrder('ord-nope')).toBeNull();
  });

  it('lists newest first and rejects a malformed continuation token', async () => {
    const { service, clock } = setUp(cosmos.current);
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      clock.advance(1);
      const placed = await service.placeOrder(anOrderRequest({ customerId: 'cust-list' }), { correlationId: 'c' });
      if (placed.kind === 'accepted') ids.push(placed.order.id);
    }
    const first = await service.listOrders({ customerId: 'cust-list', limit: 2 });
    expect(first.items.map((order) => order.id)).toEqual([ids[2], ids[1]]);
    expect(first.items[0]).not.toHaveProperty('paymentReference');
    const second = await service.listOrders({ customerId: 'cust-list', limit: 2, continuationToken: first.continuationToken ?? undefined });
    expect(second.items.map((order) => order.id)).toEqual([ids[0]]);
    await expect(service.listOrders({ customerId: 'cust-list', limit: 2, continuationToken: 'bogus!' })).rejects.toBeInstanceOf(
      InvalidContinuationToken,
    );
  });
});
