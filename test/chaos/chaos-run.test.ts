import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STANDARD_FAULT_RATES } from '../../scripts/chaos/fault-plan';
import { formatChaosReport } from '../../scripts/chaos/report';
import { runChaos } from '../../scripts/chaos/run';

const repoRoot = path.resolve(__dirname, '../..');

/**
 * `npm run chaos` with fixed seeds: the embedded host injects every fault kind of the standard plan while a
 * mixed load runs in both saga styles, and no invariant may break. A failing seed replays with
 * `npm run chaos -- --seed N --orders 30`.
 */
describe('the saga under injected faults', () => {
  for (const seed of [11, 29]) {
    it(`keeps money and stock right, seed ${seed}`, { timeout: 240_000 }, async () => {
      const report = await runChaos({
        repoRoot,
        seed,
        orders: 30,
        styles: ['orchestration', 'choreography'],
        faults: { seed, rates: { ...STANDARD_FAULT_RATES } },
        duplicateShare: 0.2,
        concurrency: 6,
        settleSeconds: 150,
        log: () => undefined,
      });
      const summary = formatChaosReport(report, `npm run chaos -- --orders 30 --seed ${seed}`);
      expect(report.orders.accepted, summary).toBeGreaterThan(20);
      expect(report.orders.refused, summary).toEqual({});
      expect(Object.values(report.faults.injected).reduce((a, b) => a + b, 0), summary).toBeGreaterThan(0);
      expect(report.violations, `${summary}\n${report.hostOutput.slice(-4000)}`).toEqual([]);
    });
  }
});
