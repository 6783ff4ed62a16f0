import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_CATALOG, type SagaStyle } from '../../src/domain';
import { startHostProcess } from '../bench/host-process';
import { getJson, placePlannedOrder, waitForFinalStatuses, type PlacedOrder } from './driver';
import type { FaultPlan } from './fault-plan';
import { checkInvariants, type Violation } from './invariants';
import { observe, readStock, type StockLevels } from './observe';
import { SeededRandom } from './random';
import { planWorkload, type OrderIntent } from './workload';

export interface ChaosOptions {
  repoRoot: string;
  seed: number;
  orders: number;
  styles: readonly SagaStyle[];
  faults: FaultPlan | null;
  duplicateShare: number;
  /** Orders being placed at once. */
  concurrency: number;
  /** How long the sagas get to reach a final status once every order is placed. */
  settleSeconds: number;
  log: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  orders: {
    planned: number;
    accepted: number;
    unanswered: number;
    /** Orders the API refused, by the status of its last answer (a 4xx is final for a careful client). */
    refused: Record<string, number>;
    byStatus: Record<string, number>;
    byStyle: Record<string, number>;
  };
  faults: { enabled: boolean; injected: Record<string, number> };
  violations: Violation[];
  hostOutput: string;
  durationMs: number;
}

/** Settings that make the app's own recovery (sweepers) act within a short run. */
const CATALOG_WAIT_MS = 45_000;

const RECOVERY_SETTINGS: Record<string, string> = {
  PENDING_ORDER_REPUBLISH_AFTER_SECONDS: '5',
  STUCK_SAGA_AFTER_SECONDS: '15',
  SAGA_SWEEP_INTERVAL_SECONDS: '2',
};

/**
 * One chaos run: a fresh embedded host with the fault plan, a seeded mixed load through the HTTP API, a wait
 * for every saga to end, then every invariant checked against the API and the stores.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const random = new SeededRandom(options.seed);
  const runId = `${options.seed.toString(36)}`;
  const workload = planWorkload(random, { orders: options.orders, styles: options.styles, duplicateShare: options.duplicateShare, runId });
  const env: Record<string, string> = { ...RECOVERY_SETTINGS };
  if (options.faults) env.EMBEDDED_HOST_FAULTS = JSON.stringify(options.faults);
  // Every run starts from an empty store: the invariants count what this run's orders did to the catalog.
  const host = await startHostProcess(options.repoRoot, { env, args: ['--in-memory'] });
  try {
    const pause = (ms: number) => sleep(ms);
    const initialStock = await completeCatalog(host.url, pause);
    options.log(`host ${host.url} ready in ${Math.round(host.startupMs)} ms; placing ${workload.length} orders`);

    const placed: PlacedOrder[] = [];
    const queue = [...workload];
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) placed.push(await placePlannedOrder(host.url, next, pause));
      }),
    );
    const accepted = new Map<string, OrderIntent>();
    for (const order of placed) if (order.orderId) accepted.set(order.orderId, order.planned.intent);
    const isRefusal = (status: number) => status >= 400 && status < 500;
    const unanswered = placed.filter((order) => !order.orderId && !order.answers.some(isRefusal)).length;
    const refused: Record<string, number> = {};
    for (const order of placed) {
      const refusal = order.orderId ? undefined : order.answers.find(isRefusal);
      if (refusal !== undefined) refused[refusal] = (refused[refusal] ?? 0) + 1;
    }
    options.log(`${accepted.size} accepted, ${unanswered} without an answer; waiting up to ${options.settleSeconds} s for the sagas`);

    const stats = await host.stats();
    const store = { endpoint: stats.cosmos.endpoint, database: process.env.COSMOS_DATABASE ?? 'petstore' };
    const open = await waitForFinalStatuses(host.url, [...accepted.keys()], Date.now() + options.settleSeconds * 1000, pause, (count) => {
      if (count > 0) options.log(`${count} saga(s) not final yet`);
    });
    if (open.length > 0) options.log(`${open.length} order(s) still not final at the deadline`);

    const faults = await readFaultCounts(host.url, options.faults !== null);
    const observation = await observe(host.url, store, accepted, initialStock, pause);
    // Every planned order is valid: a 4xx for one is the service blaming the client for its own fault.
    const refusals: Violation[] = placed
      .filter((order) => !order.orderId && order.answers.some(isRefusal))
      .map((order) => ({ rule: 'valid order refused', detail: `order ${order.planned.index} (${order.planned.intent}) got ${order.answers.join(', ')}` }));
    const violations = [...refusals, ...checkInvariants(observation)];
    const byStatus: Record<string, number> = {};
    const byStyle: Record<string, number> = {};
    for (const observed of observation.orders) {
      const status = observed.order?.status ?? 'missing';
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    }
    for (const order of placed) if (order.orderId) byStyle[order.planned.style] = (byStyle[order.planned.style] ?? 0) + 1;
    return {
      seed: options.seed,
      orders: { planned: workload.length, accepted: accepted.size, unanswered, refused, byStatus, byStyle },
      faults,
      violations,
      hostOutput: host.output(),
      durationMs: Date.now() - started,
    };
  } finally {
    await host.stop();
  }
}

/**
 * The stock before the run, once every catalog product is there: the app seeds the catalog at start-up, under
 * the same faults, and an order for a product still missing would be refused as unknown.
 */
async function completeCatalog(baseUrl: string, pause: (ms: number) => Promise<void>): Promise<StockLevels> {
  const deadline = Date.now() + CATALOG_WAIT_MS;
  for (;;) {
    const stock = await readStock(baseUrl, pause);
    const missing = DEMO_CATALOG.map((entry) => entry.id).filter((id) => !stock.has(id));
    if (missing.length === 0) return stock;
    if (Date.now() >= deadline) {
      throw new Error(`The catalog is still missing ${missing.join(', ')} ${CATALOG_WAIT_MS / 1000} s after start: seeding it at start-up did not finish`);
    }
    await pause(500);
  }
}

async function readFaultCounts(baseUrl: string, enabled: boolean): Promise<ChaosReport['faults']> {
  if (!enabled) return { enabled: false, injected: {} };
  const { status, body } = await getJson(`${baseUrl}/admin/faults`, (ms) => sleep(ms));
  if (status !== 200) throw new Error(`GET /admin/faults answered ${status}: does this host inject faults?`);
  const injected = (body as { injected?: Record<string, number> }).injected ?? {};
  return { enabled: true, injected };
}
