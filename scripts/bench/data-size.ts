import type { SagaStyle } from '../../src/domain';
import { createCosmosClient } from '../../src/data/cosmos-client';
import { SAGA_CONTAINER_DEFINITIONS } from '../../src/data/containers';
import { fillOrders } from './fill-orders';
import { ORDERS_PER_WATCHER, hostDatabase, watcherFor } from './host-database';
import type { HostProcess } from './host-process';
import { sampleListing } from './listing-probe';
import { runOpenLoop } from './open-loop';
import type { SagaEndWatcher } from './saga-end-watcher';
import { percentile, round } from './stats';
import { latencies } from './summary';
import type { Check } from './soak';

export interface DataSizeRow {
  /** Orders stored when the row was measured (the filled ones and those the measurements placed). */
  storedOrders: number;
  fill: { written: number; how: string; seconds: number | null };
  saga: Record<string, { p50Ms: number | null; p99Ms: number | null; completed: number; unfinished: number }>;
  listing: { p50Ms: number | null; p99Ms: number | null };
  listingByStatus: { p50Ms: number | null; p99Ms: number | null };
  /** Start-up to healthy of a host restarted on this data (null: state in memory, nothing to restart on). */
  startupMs: number | null;
  /** What the restarted host still has (null: not restarted, or the count failed). */
  ordersAfterRestart: number | null;
}

export interface DataSizeOptions {
  sizes: readonly number[];
  styles: readonly SagaStyle[];
  rate: number;
  durationSeconds: number;
  failureShare: number;
  /** Restart on the same data to measure start-up (state on disk). */
  restart: boolean;
  progressSeconds: number;
  write?(line: string): void;
}

/** Seconds of unmeasured sagas after each start. */
const WARM_UP_SECONDS = 2;
/** Listing samples per size and query. */
const LISTING_SAMPLES = 40;
/** A status that a tenth of the filled orders have: the filter has to skip most of the store. */
const FILTERED_STATUS = 'Failed';

/**
 * For each size: fill the store up to it, measure a short open loop per style and the first page of the
 * orders listing (plain and filtered), and restart the host on the same data to time its start-up. The first
 * row is the empty store, the baseline for the saga latency target.
 */
export async function runDataSize(start: () => Promise<HostProcess>, options: DataSizeOptions): Promise<DataSizeRow[]> {
  const write = options.write ?? ((line: string) => console.log(line));
  let host = await start();
  let watcher: SagaEndWatcher | undefined;
  const rows: DataSizeRow[] = [];
  const nowMs = Date.now();
  const largest = options.sizes.at(-1) ?? 0;
  let filled = 0;
  let placed = 0;
  let restarted = true;
  try {
    for (const size of [0, ...options.sizes.filter((s) => s > 0)]) {
      if (!watcher) {
        watcher = await watcherFor(host, write);
        placed += ORDERS_PER_WATCHER;
      }
      if (restarted) {
        // A host just started runs its first sagas cold (JIT, connections, caches): not what is measured.
        const warmUp = await runOpenLoop({ baseUrl: host.url, styles: options.styles, ratePerSecond: options.rate, durationSeconds: WARM_UP_SECONDS, failureShare: options.failureShare, drainSeconds: 60, watcher, progressSeconds: 0, write });
        placed += warmUp.orders.length;
        restarted = false;
      }
      const fill = { written: 0, how: 'none', seconds: null as number | null };
      const wanted = Math.max(0, size - placed);
      if (wanted > filled) {
        const cosmos = await hostDatabase(host);
        if (!cosmos) throw new Error('The data-size mode needs the embedded host’s stats endpoint, to find its database');
        const client = createCosmosClient(cosmos.settings);
        try {
          write(`\nfilling the store to ${size} orders...`);
          const container = client.database(cosmos.database).container(SAGA_CONTAINER_DEFINITIONS.orders.id);
          const result = await fillOrders(container, filled, wanted, largest, nowMs);
          Object.assign(fill, { written: result.written, how: result.how, seconds: round(result.seconds, 1) });
          write(`  ${result.written} orders written in ${fill.seconds} s (${result.how === 'bulk' ? 'bulk operations' : 'concurrent creates: the endpoint takes no bulk operations'})`);
          filled = wanted;
        } finally {
          client.dispose();
        }
      }
      const stored = filled + placed;
      write(`\n${stored} orders stored:`);
      const saga: DataSizeRow['saga'] = {};
      for (const style of options.styles) {
        const run = await runOpenLoop({
          baseUrl: host.url,
          styles: [style],
          ratePerSecond: options.rate,
          durationSeconds: options.durationSeconds,
          failureShare: options.failureShare,
          drainSeconds: 60,
          watcher,
          progressSeconds: options.progressSeconds,
          write,
        });
        placed += run.orders.length;
        const sorted = latencies(run.orders);
        saga[style] = {
          p50Ms: round(percentile(sorted, 50), 0),
          p99Ms: round(percentile(sorted, 99), 0),
          completed: sorted.length,
          unfinished: run.orders.length - sorted.length,
        };
      }
      const listing = summary(await sampleListing(host.url, 'limit=20', LISTING_SAMPLES));
      const listingByStatus = summary(await sampleListing(host.url, `limit=20&status=${FILTERED_STATUS}`, LISTING_SAMPLES));
      let startupMs: number | null = null;
      let ordersAfterRestart: number | null = null;
      if (options.restart) {
        await watcher.close();
        watcher = undefined;
        await host.stop();
        host = await start();
        startupMs = round(host.startupMs, 0);
        ordersAfterRestart = await countOrders(host);
        restarted = true;
        if (ordersAfterRestart !== null && ordersAfterRestart < filled + placed) {
          // A store that does not keep its documents over a restart: the next size is filled from nothing again.
          write(`  the restarted host has ${ordersAfterRestart} of the ${filled + placed} orders: the next size fills the store again`);
          filled = 0;
          placed = ordersAfterRestart;
        }
      }
      const row: DataSizeRow = { storedOrders: stored, fill, saga, listing, listingByStatus, startupMs, ordersAfterRestart };
      write(formatDataSizeRow(row));
      rows.push(row);
    }
  } finally {
    await watcher?.close();
    await host.stop();
  }
  return rows;
}

function summary(sorted: number[]): { p50Ms: number | null; p99Ms: number | null } {
  return { p50Ms: round(percentile(sorted, 50), 1), p99Ms: round(percentile(sorted, 99), 1) };
}

async function countOrders(host: HostProcess): Promise<number | null> {
  const cosmos = await hostDatabase(host);
  if (!cosmos) return null;
  const client = createCosmosClient(cosmos.settings);
  try {
    const container = client.database(cosmos.database).container(SAGA_CONTAINER_DEFINITIONS.orders.id);
    const { resources } = await container.items.query<number>('SELECT VALUE COUNT(1) FROM c').fetchAll();
    return resources.reduce((sum, n) => sum + n, 0);
  } catch {
    return null;
  } finally {
    client.dispose();
  }
}

const ms = (value: number | null): string => (value === null ? 'n/a' : `${value} ms`);

export function formatDataSizeRow(row: DataSizeRow): string {
  const sagas = Object.entries(row.saga).map(([style, s]) => `${style} p50 ${ms(s.p50Ms)} p99 ${ms(s.p99Ms)}`).join('; ');
  const restart = row.startupMs === null ? 'no restart (state in memory)' : `restart to healthy ${row.startupMs} ms with ${row.ordersAfterRestart ?? 'unknown'} orders found`;
  return (
    `  ${row.storedOrders} stored: saga ${sagas}; listing p50 ${ms(row.listing.p50Ms)} p99 ${ms(row.listing.p99Ms)}, ` +
    `status=${FILTERED_STATUS} p50 ${ms(row.listingByStatus.p50Ms)} p99 ${ms(row.listingByStatus.p99Ms)}; ${restart}`
  );
}

export function formatDataSizeTable(rows: readonly DataSizeRow[], styles: readonly string[]): string[] {
  const header = ['stored', ...styles.flatMap((s) => [`${s} p50`, `${s} p99`]), 'list p50', 'list p99', `${FILTERED_STATUS} p50`, `${FILTERED_STATUS} p99`, 'start-up'];
  const lines = rows.map((row) => [
    String(row.storedOrders),
    ...styles.flatMap((s) => [ms(row.saga[s]?.p50Ms ?? null), ms(row.saga[s]?.p99Ms ?? null)]),
    ms(row.listing.p50Ms),
    ms(row.listing.p99Ms),
    ms(row.listingByStatus.p50Ms),
    ms(row.listingByStatus.p99Ms),
    row.startupMs === null ? 'n/a' : ms(row.startupMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const format = (cells: string[]) => `  ${cells.map((c, i) => c.padStart(widths[i] as number)).join('  ')}`;
  return [format(header), ...lines.map(format)];
}

/** Saga p50 at most this share above the empty store's. */
export const SAGA_P50_GROWTH = 0.2;
export const LISTING_P99_LIMIT_MS = 50;
export const STARTUP_LIMIT_MS = 5000;
export const TARGET_SIZE = 100_000;

export interface DataSizeVerdict {
  /** The size the verdict is at (the largest measured); the targets are stated at 100,000. */
  atSize: number;
  sagaP50: Check;
  listingP99: Check;
  startup: Check | null;
}

export function dataSizeVerdict(rows: readonly DataSizeRow[]): DataSizeVerdict | null {
  const empty = rows[0];
  const largest = rows.at(-1);
  if (!empty || !largest || rows.length < 2) return null;
  const problems: string[] = [];
  const details: string[] = [];
  for (const [style, s] of Object.entries(largest.saga)) {
    const base = empty.saga[style]?.p50Ms ?? null;
    if (base === null || s.p50Ms === null) {
      problems.push(`${style}: no sagas ended`);
      continue;
    }
    const limit = Math.max(base * (1 + SAGA_P50_GROWTH), base + 1);
    details.push(`${style} ${s.p50Ms} ms against ${round(limit, 1)} ms (empty store ${base} ms + ${SAGA_P50_GROWTH * 100} %)`);
    if (s.p50Ms > limit) problems.push(style);
  }
  const listingWorst = Math.max(largest.listing.p99Ms ?? Number.POSITIVE_INFINITY, largest.listingByStatus.p99Ms ?? Number.POSITIVE_INFINITY);
  return {
    atSize: largest.storedOrders,
    sagaP50: { pass: problems.length === 0 && details.length > 0, detail: [...details, ...problems.filter((p) => p.includes(':'))].join('; ') },
    listingP99: { pass: listingWorst <= LISTING_P99_LIMIT_MS, detail: `worst p99 ${listingWorst} ms (plain and filtered) against ${LISTING_P99_LIMIT_MS} ms` },
    startup:
      largest.startupMs === null
        ? null
        : { pass: largest.startupMs < STARTUP_LIMIT_MS && (largest.ordersAfterRestart ?? 0) >= largest.storedOrders, detail: `${largest.startupMs} ms against ${STARTUP_LIMIT_MS} ms, ${largest.ordersAfterRestart ?? 'unknown'} of ${largest.storedOrders} orders still there` },
  };
}
