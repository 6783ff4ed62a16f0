import type { DataSizeVerdict } from './data-size';
import type { SoakVerdict } from './soak';

/** What a run measured, as far as the targets go. */
export interface MeasuredRun {
  state: string;
  rate: number;
  durationSeconds: number;
  /** The started host's start-up to healthy on an empty store (null: a host started elsewhere). */
  startupMs: number | null;
  /** Open loop: saga p99 per style. */
  openP99Ms?: Record<string, number | null>;
  /** Closed loop: the best sagas/s per style. */
  closedMax?: Record<string, number | null>;
  soak?: { verdict: SoakVerdict; minutes: number; intervalSeconds: number };
  dataSize?: DataSizeVerdict | null;
}

export interface TargetLine {
  verdict: 'PASS' | 'FAIL' | '--';
  target: string;
  measured: string;
}

const CLOSED_TARGETS: Record<string, number> = { orchestration: 200, choreography: 150 };
const STARTUP_TARGET_MS = 3000;
const OPEN_P99_TARGET_MS = 250;

const pass = (ok: boolean): TargetLine['verdict'] => (ok ? 'PASS' : 'FAIL');
const notMeasured = (target: string, how: string): TargetLine => ({ verdict: '--', target, measured: `not measured by this run: ${how}` });

/** Every target of issue #10, with PASS or FAIL where this run measured it and the command that does where not. */
export function targetLines(run: MeasuredRun): TargetLine[] {
  const lines: TargetLine[] = [];
  for (const [style, minimum] of Object.entries(CLOSED_TARGETS)) {
    const target = `closed loop, ${style}: at least ${minimum} sagas/s`;
    const best = run.closedMax?.[style];
    if (best === undefined) lines.push(notMeasured(target, `npm run bench -- --mode closed --styles ${style}`));
    else lines.push({ verdict: pass(best !== null && best >= minimum), target, measured: `${best ?? 'none'} sagas/s` });
  }
  const openTarget = `open loop at 50 orders/s for 60 s: saga p99 at most ${OPEN_P99_TARGET_MS} ms`;
  if (!run.openP99Ms || run.rate !== 50 || run.durationSeconds < 60) {
    lines.push(notMeasured(openTarget, 'npm run bench -- --rate 50 --duration 60'));
  } else {
    for (const [style, p99] of Object.entries(run.openP99Ms)) {
      lines.push({ verdict: pass(p99 !== null && p99 <= OPEN_P99_TARGET_MS), target: `${openTarget} (${style})`, measured: `p99 ${p99 ?? 'n/a'} ms` });
    }
  }
  const soakHow = 'npm run bench -- --mode soak --rate 30 --duration 10m';
  if (!run.soak) {
    lines.push(notMeasured('soak: no minute’s p99 above twice the first minute’s', soakHow));
    lines.push(notMeasured('soak: resident memory flat after the first minute', soakHow));
  } else {
    const { verdict, minutes, intervalSeconds } = run.soak;
    const asTarget = run.rate === 30 && minutes >= 10 && intervalSeconds === 60;
    const at = asTarget ? '' : ` (at ${run.rate} orders/s for ${minutes} × ${intervalSeconds} s; the target is 30/s for 10 minutes)`;
    lines.push({ verdict: pass(verdict.p99.pass), target: 'soak: no minute’s p99 above twice the first minute’s', measured: verdict.p99.detail + at });
    lines.push({ verdict: pass(verdict.memory.pass), target: 'soak: resident memory flat after the first minute', measured: verdict.memory.detail + at });
  }
  const sizeHow = 'npm run bench -- --mode data-size --sizes 1000,10000,100000';
  const size = run.dataSize;
  const at = size && size.atSize < 100_000 ? ` (at ${size.atSize} stored; the target is at 100,000)` : '';
  if (!size) {
    lines.push(notMeasured('100,000 orders stored: saga p50 within 20 % of an empty store', sizeHow));
    lines.push(notMeasured('100,000 orders stored: GET /api/orders?limit=20 p99 at most 50 ms', sizeHow));
    lines.push(notMeasured('start-up to healthy under 5 s with 100,000 orders stored', sizeHow));
  } else {
    lines.push({ verdict: pass(size.sagaP50.pass), target: '100,000 orders stored: saga p50 within 20 % of an empty store', measured: size.sagaP50.detail + at });
    lines.push({ verdict: pass(size.listingP99.pass), target: '100,000 orders stored: GET /api/orders?limit=20 p99 at most 50 ms', measured: size.listingP99.detail + at });
    if (size.startup) lines.push({ verdict: pass(size.startup.pass), target: 'start-up to healthy under 5 s with 100,000 orders stored', measured: size.startup.detail + at });
    else lines.push(notMeasured('start-up to healthy under 5 s with 100,000 orders stored', `${sizeHow} --state disk`));
  }
  const startupTarget = `start-up to healthy under ${STARTUP_TARGET_MS / 1000} s with a built app`;
  if (run.startupMs === null) lines.push(notMeasured(startupTarget, 'npm run bench (without --url)'));
  else lines.push({ verdict: pass(run.startupMs < STARTUP_TARGET_MS), target: startupTarget, measured: `${Math.round(run.startupMs)} ms` });
  return lines;
}

export function formatTargets(run: MeasuredRun): string[] {
  return [
    `\nTargets (issue #10; measured with state ${run.state}; the targets are stated for state on disk):`,
    ...targetLines(run).map((line) => `  ${line.verdict.padEnd(4)}  ${line.target}: ${line.measured}`),
  ];
}
