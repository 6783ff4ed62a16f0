import { afterEach, describe, expect, it } from 'vitest';
import type { TrackedOrder } from '../../scripts/bench/order-client';
import { watchSagaEnds, type SagaEndWatcher } from '../../scripts/bench/saga-end-watcher';
import { startFakeEndpoint, type FakeEndpoint, type FeedBehaviour } from './fake-cosmos-feed';

let endpoint: FakeEndpoint | undefined;
let watcher: SagaEndWatcher | undefined;
const lines: string[] = [];

afterEach(async () => {
  await watcher?.close();
  await endpoint?.close();
  watcher = undefined;
  endpoint = undefined;
  lines.length = 0;
});

async function start(behaviour: FeedBehaviour, silenceMs = 5000): Promise<{ endpoint: FakeEndpoint; watcher: SagaEndWatcher }> {
  endpoint = await startFakeEndpoint(behaviour);
  watcher = await watchSagaEnds({
    baseUrl: endpoint.url,
    cosmos: { settings: { endpoint: endpoint.url, key: 'bench' }, database: 'petstore' },
    idleMs: 5,
    pollMs: 10,
    silenceMs,
    write: (line) => lines.push(line),
  });
  return { endpoint, watcher };
}

const order = (id: string): TrackedOrder => ({ id, style: 'orchestration', acceptedAtMs: Date.parse('2026-01-01T00:00:00.000Z') });

describe('learning saga ends from the change feed', () => {
  it('resolves each waiter when its order reaches a final status, without reading any order', async () => {
    const { endpoint, watcher } = await start('feed');
    expect(watcher.how).toBe('change feed');
    expect(watcher.note).toMatch(/change feed/);
    const fast = order('ord-fast');
    const slow = order('ord-slow');
    // One saga ends before anybody waits for it (faster than the POST's answer), the other after.
    endpoint.write({ id: fast.id, status: 'Cancelled', updatedAt: '2026-01-01T00:00:00.120Z' });
    endpoint.write({ id: slow.id, status: 'Pending', updatedAt: '2026-01-01T00:00:00.010Z' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = Promise.all([watcher.waitFor(fast, Date.now() + 5000), watcher.waitFor(slow, Date.now() + 5000)]);
    endpoint.write({ id: slow.id, status: 'Processing', updatedAt: '2026-01-01T00:00:00.020Z' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(slow.finalStatus).toBeUndefined();
    endpoint.write({ id: slow.id, status: 'Completed', updatedAt: '2026-01-01T00:00:00.250Z' });
    await waiting;
    expect(fast).toMatchObject({ finalStatus: 'Cancelled', finishedAtMs: fast.acceptedAtMs + 120 });
    expect(slow).toMatchObject({ finalStatus: 'Completed', finishedAtMs: slow.acceptedAtMs + 250 });
    expect(endpoint.requests.changeFeed).toBeGreaterThan(1);
    expect(endpoint.requests.orderReads).toBe(0);
    expect(watcher.how).toBe('change feed');
  });

  it('gives up on an order at its deadline and leaves it unfinished', async () => {
    const { endpoint, watcher } = await start('feed');
    const stuck = order('ord-stuck');
    endpoint.write({ id: stuck.id, status: 'Processing', updatedAt: '2026-01-01T00:00:00.010Z' });
    const started = Date.now();
    await watcher.waitFor(stuck, Date.now() + 100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(stuck.finalStatus).toBeUndefined();
  });
});

describe('when the endpoint does not serve the change feed', () => {
  it('polls the orders instead, and says why in one line', async () => {
    const { endpoint, watcher } = await start('failing');
    expect(watcher.how).toBe('polling');
    expect(watcher.note).toMatch(/^Saga ends: polling GET \/api\/orders\/\{id\}, since the Cosmos endpoint does not serve the change feed \(.+\)$/);
    expect(watcher.note).not.toContain('\n');
    const placed = order('ord-polled');
    endpoint.write({ id: placed.id, status: 'Processing', updatedAt: '2026-01-01T00:00:00.010Z' });
    const waiting = watcher.waitFor(placed, Date.now() + 5000);
    while (endpoint.requests.orderReads === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(placed.finalStatus).toBeUndefined();
    endpoint.write({ id: placed.id, status: 'Failed', updatedAt: '2026-01-01T00:00:00.300Z' });
    await waiting;
    expect(placed).toMatchObject({ finalStatus: 'Failed', finishedAtMs: placed.acceptedAtMs + 300 });
    expect(endpoint.requests.orderReads).toBeGreaterThan(1);
  });

  it('switches to polling when the feed answers but never reports the orders written', async () => {
    const { endpoint, watcher } = await start('silent', 200);
    expect(watcher.how).toBe('change feed');
    const placed = order('ord-silent');
    endpoint.write({ id: placed.id, status: 'Completed', updatedAt: '2026-01-01T00:00:00.080Z' });
    await watcher.waitFor(placed, Date.now() + 5000);
    expect(placed).toMatchObject({ finalStatus: 'Completed', finishedAtMs: placed.acceptedAtMs + 80 });
    expect(watcher.how).toBe('polling');
    expect(lines).toEqual([expect.stringMatching(/^Saga ends: polling GET \/api\/orders\/\{id\} from now on, since .*reported no change/)]);
    const later = order('ord-later');
    endpoint.write({ id: later.id, status: 'Cancelled', updatedAt: '2026-01-01T00:00:00.090Z' });
    await watcher.waitFor(later, Date.now() + 5000);
    expect(later.finalStatus).toBe('Cancelled');
  });
});
