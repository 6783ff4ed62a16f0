import path from 'node:path';
import { expect } from 'vitest';
import { STANDARD_FAULT_RATES } from '../../scripts/chaos/fault-plan';
import { formatChaosReport } from '../../scripts/chaos/report';
import { runChaos } from '../../scripts/chaos/run';

const repoRoot = path.resolve(__dirname, '../..');
const ORDERS = 30;

/**
 * `npm run chaos` with a fixed seed: the embedded host injects every fault kind of the standard plan while a
 * mixed load runs in both saga styles, and no invariant may break. A failing seed replays with
 * `npm run chaos -- --seed N --orders 30`. Each seed has a file of its own, so the runs go in parallel.
 */
export async function expectSeedHolds(seed: number, options: { crashes?: number } = {}): Promise<void> {
  const crashes = options.crashes ?? 0;
  const report = await runChaos({
    repoRoot,
    seed,
    orders: ORDERS,
    styles: ['orchestration', 'choreography'],
    faults: { seed, rates: { ...STANDARD_FAULT_RATES } },
    duplicateShare: 0.2,
    concurrency: 6,
    settleSeconds: 150,
    crashes,
    log: () => undefined,
  });
  const summary = formatChaosReport(report, `npm run chaos -- --orders ${ORDERS}${crashes > 0 ? ` --crashes ${crashes}` : ''} --seed ${seed}`);
  expect(report.crashes.count, summary).toBe(crashes);
  expect(report.orders.accepted, summary).toBeGreaterThan(20);
  expect(report.orders.refused, summary).toEqual({});
  expect(Object.values(report.faults.injected).reduce((a, b) => a + b, 0), summary).toBeGreaterThan(0);
  expect(report.violations, `${summary}\n${report.hostOutput.slice(-4000)}`).toEqual([]);
}
