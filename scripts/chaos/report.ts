import type { ChaosReport } from './run';

const MAX_LISTED = 40;

/** The run in plain lines: the seed to replay it, what was placed and injected, every violation, the verdict. */
export function formatChaosReport(report: ChaosReport, replayCommand: string): string {
  const lines = [
    `seed ${report.seed} (replay: ${replayCommand})`,
    `orders: ${report.orders.planned} planned, ${report.orders.accepted} accepted, ${report.orders.unanswered} never answered` +
      `${Object.keys(report.orders.refused).length > 0 ? `, refused ${formatCounts(report.orders.refused)}` : ''}; ` +
      `by style ${formatCounts(report.orders.byStyle)}; final ${formatCounts(report.orders.byStatus)}`,
    report.faults.enabled
      ? `faults injected: ${formatCounts(report.faults.injected) || 'none'} (${sum(report.faults.injected)} in all)`
      : 'faults: off',
    ...(report.crashes.count > 0
      ? [`crashes: ${report.crashes.count} × kill -9, healthy again in ${report.crashes.restartMs.map((ms) => `${Math.round(ms)} ms`).join(', ')}`]
      : []),
  ];
  for (const violation of report.violations.slice(0, MAX_LISTED)) {
    const subject = violation.orderId ? `order ${violation.orderId}` : violation.productId ? `product ${violation.productId}` : 'run';
    lines.push(`  VIOLATION ${subject}: ${violation.rule}: ${violation.detail}`);
  }
  if (report.violations.length > MAX_LISTED) lines.push(`  … and ${report.violations.length - MAX_LISTED} more`);
  lines.push(
    `verdict: ${report.violations.length === 0 ? 'PASS' : 'FAIL'}, ${report.violations.length} violation(s) in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}

function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${key} ${count}`)
    .join(', ');
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}
