import { describe, expect, it } from 'vitest';
import { formatTargets, targetLines, type MeasuredRun } from '../../scripts/bench/targets';

const base: MeasuredRun = { state: 'disk', rate: 10, durationSeconds: 20, startupMs: 1200 };

describe('the targets a run prints', () => {
  it('lists every target, with the command that measures those this run did not', () => {
    const lines = targetLines(base);
    expect(lines.map((line) => line.target)).toEqual([
      'closed loop, orchestration: at least 200 sagas/s',
      'closed loop, choreography: at least 150 sagas/s',
      'open loop at 50 orders/s for 60 s: saga p99 at most 250 ms',
      'soak: no minute’s p99 above twice the first minute’s',
      'soak: resident memory flat after the first minute',
      '100,000 orders stored: saga p50 within 20 % of an empty store',
      '100,000 orders stored: GET /api/orders?limit=20 p99 at most 50 ms',
      'start-up to healthy under 5 s with 100,000 orders stored',
      'start-up to healthy under 3 s with a built app',
    ]);
    expect(lines[2]).toEqual({ verdict: '--', target: lines[2]?.target, measured: 'not measured by this run: npm run bench -- --rate 50 --duration 60' });
    expect(lines.at(-1)).toMatchObject({ verdict: 'PASS', measured: '1200 ms' });
  });

  it('judges the closed loop per style against 200 and 150 sagas/s', () => {
    const lines = targetLines({ ...base, closedMax: { orchestration: 210.5, choreography: 149.9 } });
    expect(lines[0]).toMatchObject({ verdict: 'PASS', measured: '210.5 sagas/s' });
    expect(lines[1]).toMatchObject({ verdict: 'FAIL', measured: '149.9 sagas/s' });
  });

  it('judges the open loop only at 50 orders/s for at least 60 s', () => {
    expect(targetLines({ ...base, openP99Ms: { orchestration: 20 } })[2]?.verdict).toBe('--');
    const lines = targetLines({ ...base, rate: 50, durationSeconds: 60, openP99Ms: { orchestration: 250, choreography: 251 } });
    expect(lines[2]).toMatchObject({ verdict: 'PASS', target: 'open loop at 50 orders/s for 60 s: saga p99 at most 250 ms (orchestration)' });
    expect(lines[3]).toMatchObject({ verdict: 'FAIL', measured: 'p99 251 ms' });
  });

  it('says when a soak or a data-size run was smaller than the target’s', () => {
    const lines = targetLines({
      ...base,
      soak: { verdict: { p99: { pass: true, detail: 'p99 ok' }, memory: { pass: false, detail: 'grew' } }, minutes: 3, intervalSeconds: 60 },
      dataSize: { atSize: 1000, sagaP50: { pass: true, detail: 'p50 ok' }, listingP99: { pass: true, detail: 'listing ok' }, startup: null },
    });
    expect(lines.find((l) => l.target.startsWith('soak: no minute'))).toMatchObject({ verdict: 'PASS', measured: 'p99 ok (at 10 orders/s for 3 × 60 s; the target is 30/s for 10 minutes)' });
    expect(lines.find((l) => l.target.startsWith('soak: resident'))?.verdict).toBe('FAIL');
    expect(lines.find((l) => l.target.includes('p50 within'))?.measured).toBe('p50 ok (at 1000 stored; the target is at 100,000)');
    expect(lines.find((l) => l.target.includes('under 5 s'))?.verdict).toBe('--');
  });

  it('are printed one a line under a heading that names the state', () => {
    const printed = formatTargets({ ...base, state: 'memory', startupMs: 3500 });
    expect(printed[0]).toContain('measured with state memory');
    expect(printed.at(-1)).toBe('  FAIL  start-up to healthy under 3 s with a built app: 3500 ms');
  });
});
