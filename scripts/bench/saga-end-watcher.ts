import { ChangeFeedStartFrom, StatusCodes, type ChangeFeedPullModelIterator, type CosmosClient } from '@azure/cosmos';
import { FINAL_ORDER_STATUSES } from '../../src/domain';
import { createCosmosClient, type CosmosSettings } from '../../src/data/cosmos-client';
import { SAGA_CONTAINER_DEFINITIONS } from '../../src/data/containers';
import { benchReads, checkOrder, type TrackedOrder } from './order-client';

/**
 * How the benchmark learns that a saga ended. One watcher per host serves every client: with the change feed
 * it is one loop reading the orders container's changes, whatever the number of sagas in flight; without it,
 * one loop reading each open order in turn (the fallback, which costs a point read per open order per pass).
 */
export interface SagaEndWatcher {
  readonly how: 'change feed' | 'polling';
  /** One line for the output: how saga ends are learnt, and why polling when it is. */
  readonly note: string;
  /** Resolves when the order reached a final status (recorded on it), or at the deadline (left unfinished). */
  waitFor(order: TrackedOrder, deadlineMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface WatcherOptions {
  baseUrl: string;
  /** The host's database; without it (a host with no stats endpoint) the watcher polls. */
  cosmos?: { settings: CosmosSettings; database: string };
  /** Pause after a change-feed read that found nothing new. */
  idleMs?: number;
  /** Pause between polling passes. */
  pollMs?: number;
  /**
   * How long the feed may report no change at all while an accepted order waits, before the watcher concludes
   * that the endpoint answers change-feed requests without serving the feed, and polls instead.
   */
  silenceMs?: number;
  /** Where a mid-run switch to polling is said (default: the console). */
  write?(line: string): void;
}

interface FinalState {
  status: string;
  updatedAt: string;
}

const FINAL = new Set<string>(FINAL_ORDER_STATUSES);
/** Orders seen final before anybody waited for them (a saga faster than the POST's answer); bounded. */
const MAX_EARLY = 50_000;

export async function watchSagaEnds(options: WatcherOptions): Promise<SagaEndWatcher> {
  if (!options.cosmos) return new PollingWatcher(options.baseUrl, options.pollMs ?? 50, 'Saga ends: polling GET /api/orders/{id} (the host does not say where its database is)');
  const client = createCosmosClient(options.cosmos.settings);
  const container = client.database(options.cosmos.database).container(SAGA_CONTAINER_DEFINITIONS.orders.id);
  const feed = container.items.getChangeFeedIterator<Record<string, unknown>>({ changeFeedStartFrom: ChangeFeedStartFrom.Now(), maxItemCount: 1000 });
  try {
    // The first read fixes "now" (a 304 with a continuation); an endpoint without a change feed fails here.
    const first = await feed.readNext();
    if (first.statusCode !== StatusCodes.Ok && first.statusCode !== StatusCodes.NotModified) throw new Error(`it answered ${first.statusCode}`);
  } catch (error) {
    client.dispose();
    return new PollingWatcher(options.baseUrl, options.pollMs ?? 50, `Saga ends: polling GET /api/orders/{id}, since the Cosmos endpoint does not serve the change feed (${firstLine(error)})`);
  }
  return new ChangeFeedWatcher(client, feed, options.baseUrl, options.idleMs ?? 20, options.pollMs ?? 50, options.silenceMs ?? 3000, options.write ?? ((line) => console.log(line)));
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? '').slice(0, 160);
}

interface Waiter {
  order: TrackedOrder;
  deadlineMs: number;
  resolve(): void;
  timer: NodeJS.Timeout;
}

abstract class WaiterSet {
  protected readonly waiters = new Map<string, Waiter>();

  protected addWaiter(order: TrackedOrder, deadlineMs: number): Promise<void> {
    if (order.finalStatus) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.settle(order.id), Math.max(0, deadlineMs - Date.now()));
      this.waiters.set(order.id, { order, deadlineMs, resolve, timer });
    });
  }

  protected settle(id: string, final?: FinalState): boolean {
    const waiter = this.waiters.get(id);
    if (!waiter) return false;
    if (final) {
      waiter.order.finalStatus = final.status;
      waiter.order.finishedAtMs = Date.parse(final.updatedAt);
    }
    clearTimeout(waiter.timer);
    this.waiters.delete(id);
    waiter.resolve();
    return true;
  }

  protected settleAll(): void {
    for (const id of [...this.waiters.keys()]) this.settle(id);
  }
}

class ChangeFeedWatcher extends WaiterSet implements SagaEndWatcher {
  how: 'change feed' | 'polling' = 'change feed';
  note = "Saga ends: one reader of the orders container's change feed (no polling)";
  readonly #early = new Map<string, FinalState>();
  #closed = false;
  #fallback?: PollingWatcher;
  /** Whether the feed has reported any change yet; until it has, it is on probation (see silenceMs). */
  #proven = false;
  #firstWaitAt?: number;
  readonly #probation: NodeJS.Timeout;
  readonly #loop: Promise<void>;

  constructor(
    private readonly client: CosmosClient,
    private readonly feed: ChangeFeedPullModelIterator<Record<string, unknown>>,
    private readonly baseUrl: string,
    private readonly idleMs: number,
    private readonly pollMs: number,
    private readonly silenceMs: number,
    private readonly write: (line: string) => void,
  ) {
    super();
    this.#loop = this.#read();
    // An accepted order is stored before its 202, so a working feed reports it within moments. An endpoint
    // that ignores the change-feed headers (today's embedded server answers 304 for ever) never does.
    this.#probation = setInterval(() => {
      if (this.#proven) clearInterval(this.#probation);
      else if (this.#firstWaitAt !== undefined && Date.now() - this.#firstWaitAt > this.silenceMs) {
        this.#switchToPolling(`the endpoint answers change-feed reads but reported no change in ${this.silenceMs / 1000} s after orders were written`);
      }
    }, Math.min(500, this.silenceMs));
    this.#probation.unref();
  }

  waitFor(order: TrackedOrder, deadlineMs: number): Promise<void> {
    if (this.#fallback) return this.#fallback.waitFor(order, deadlineMs);
    this.#firstWaitAt ??= Date.now();
    const early = this.#early.get(order.id);
    if (early) {
      this.#early.delete(order.id);
      order.finalStatus = early.status;
      order.finishedAtMs = Date.parse(early.updatedAt);
      return Promise.resolve();
    }
    return this.addWaiter(order, deadlineMs);
  }

  async #read(): Promise<void> {
    while (!this.#closed && !this.#fallback) {
      let changes: Record<string, unknown>[];
      try {
        benchReads.count += 1;
        const page = await this.feed.readNext();
        changes = page.statusCode === StatusCodes.Ok ? page.result : [];
      } catch (error) {
        if (!this.#closed) this.#switchToPolling(`the change feed failed: ${firstLine(error)}`);
        return;
      }
      if (changes.length > 0) this.#proven = true;
      for (const change of changes) this.#deliver(change);
      if (changes.length === 0) await new Promise((resolve) => setTimeout(resolve, this.idleMs));
    }
  }

  #deliver(change: Record<string, unknown>): void {
    const { id, status, updatedAt } = change;
    if (typeof id !== 'string' || typeof status !== 'string' || typeof updatedAt !== 'string' || !FINAL.has(status)) return;
    if (this.settle(id, { status, updatedAt })) return;
    this.#early.set(id, { status, updatedAt });
    if (this.#early.size > MAX_EARLY) this.#early.delete(this.#early.keys().next().value as string);
  }

  /** A feed that fails or stays silent: the open sagas and the rest of the run go to polling, said once. */
  #switchToPolling(reason: string): void {
    if (this.#fallback) return;
    clearInterval(this.#probation);
    const fallback = new PollingWatcher(this.baseUrl, this.pollMs, `Saga ends: polling GET /api/orders/{id} from now on, since ${reason}`);
    this.write(fallback.note);
    this.#fallback = fallback;
    this.how = 'polling';
    this.note = fallback.note;
    for (const waiter of [...this.waiters.values()]) {
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter.order.id);
      void fallback.waitFor(waiter.order, waiter.deadlineMs).then(waiter.resolve);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#probation);
    await this.#loop;
    this.settleAll();
    await this.#fallback?.close();
    this.client.dispose();
  }
}

/** The polling fallback reads at most this many orders a second, however many are open. */
const MAX_READS_PER_SECOND = 40;

/**
 * The fallback. Each open order is read every `pollMs`, or less often when many are open (at most
 * MAX_READS_PER_SECOND in all, and `parallel` reads in flight), so a closed loop's few clients still learn
 * quickly and an open loop's backlog does not flood a busy host with reads.
 */
class PollingWatcher extends WaiterSet implements SagaEndWatcher {
  readonly how = 'polling' as const;
  readonly #readAt = new Map<string, number>();
  #closed = false;
  #running?: Promise<void>;

  constructor(
    private readonly baseUrl: string,
    private readonly pollMs: number,
    readonly note: string,
    private readonly parallel = 2,
  ) {
    super();
  }

  waitFor(order: TrackedOrder, deadlineMs: number): Promise<void> {
    const waiting = this.addWaiter(order, deadlineMs);
    this.#readAt.set(order.id, Date.now());
    this.#running ??= this.#poll();
    return waiting;
  }

  async #poll(): Promise<void> {
    while (!this.#closed) {
      const now = Date.now();
      const gap = Math.max(this.pollMs, (this.waiters.size * 1000) / MAX_READS_PER_SECOND);
      const queue = [...this.waiters.values()].map((waiter) => waiter.order).filter((order) => now - (this.#readAt.get(order.id) ?? 0) >= gap);
      await Promise.all(
        Array.from({ length: this.parallel }, async () => {
          for (let next = queue.shift(); next && !this.#closed; next = queue.shift()) {
            const order = next;
            const final = await checkOrder(this.baseUrl, order).catch(() => false);
            this.#readAt.set(order.id, Date.now());
            if (final) this.settle(order.id, { status: order.finalStatus as string, updatedAt: new Date(order.finishedAtMs as number).toISOString() });
          }
        }),
      );
      for (const id of this.#readAt.keys()) if (!this.waiters.has(id)) this.#readAt.delete(id);
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollMs, 20)));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
    this.settleAll();
  }
}
