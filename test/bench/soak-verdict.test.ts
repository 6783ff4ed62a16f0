import { describe, expect, it } from 'vitest';
import { byEndMinute, formatSoakMinute, soakMinute, soakVerdict, type SoakMinute } from '../../scripts/bench/soak';
import type { HostStats } from '../../scripts/bench/host-process';

const MiB = 2 ** 20;

function stats(residentMiB: number, heapMiB: number, activeMessages: number): HostStats {
  return {
    cosmos: { mode: 'embedded', endpoint: 'http://127.0.0.1:1', requests: 0 },
    serviceBus: { sent: 0, delivered: 0, completed: 0, abandoned: 0, deadLettered: 0, activeMessages },
    durable: {},
    process: { residentBytes: residentMiB * MiB, heapUsedBytes: heapMiB * MiB, heapTotalBytes: heapMiB * 2 * MiB },
  };
}

const minute = (n: number, p99Ms: number | null, residentMiB: number | null): SoakMinute => ({
  minute: n,
  completed: p99Ms === null ? 0 : 1800,
  p50Ms: p99Ms === null ? null : Math.round(p99Ms / 4),
  p99Ms,
  residentMiB,
  heapUsedMiB: residentMiB === null ? null : residentMiB / 2,
  listingSamples: 4,
  listingP50Ms: 3,
  listingMaxMs: 5,
  backlog: 0,
});

describe('a soak minute', () => {
  it('has the p50 and p99 of the sagas that ended in it, the memory and backlog at its end, and the listing samples', () => {
    const sagas = Array.from({ length: 100 }, (_, i) => 100 - i);
    const m = soakMinute(3, sagas, [12.34, 3.21, 4.5, 9], stats(300, 120, 17));
    expect(m).toEqual({
      minute: 3,
      completed: 100,
      p50Ms: 50,
      p99Ms: 99,
      residentMiB: 300,
      heapUsedMiB: 120,
      listingSamples: 4,
      listingP50Ms: 4.5,
      listingMaxMs: 12.3,
      backlog: 17,
    });
    expect(formatSoakMinute(m)).toBe(
      '  minute   3:   100 completed, saga p50 50 ms p99 99 ms, resident 300 MiB heap 120 MiB, listing p50 4.5 ms max 12.3 ms (4 samples), backlog 17 messages',
    );
  });

  it('says n/a for what a host does not report, and for a minute in which no saga ended', () => {
    const m = soakMinute(1, [], [], undefined);
    expect(m).toMatchObject({ completed: 0, p99Ms: null, residentMiB: null, backlog: null, listingSamples: 0 });
    expect(formatSoakMinute(m)).toContain('saga p50 n/a p99 n/a, resident n/a heap n/a');
  });
});

describe('the soak verdict', () => {
  it('passes a run whose p99 stays within twice the first minute’s and whose memory stays within 10 %', () => {
    const verdict = soakVerdict([minute(1, 100, 400), minute(2, 150, 430), minute(3, 200, 440)]);
    expect(verdict.p99).toEqual({ pass: true, detail: "worst p99 200 ms (minute 3) against 2 × the first minute's 100 ms = 200 ms" });
    expect(verdict.memory.pass).toBe(true);
    expect(verdict.memory.detail).toBe("last minute 440 MiB against the first minute's 400 MiB + 10 % = 440 MiB (flat: at most that)");
  });

  it('fails a p99 above twice the first minute’s, and memory that keeps growing', () => {
    const verdict = soakVerdict([minute(1, 100, 400), minute(2, 201, 420), minute(3, 120, 441)]);
    expect(verdict.p99.pass).toBe(false);
    expect(verdict.p99.detail).toContain('worst p99 201 ms (minute 2)');
    expect(verdict.memory.pass).toBe(false);
  });

  it('fails a minute in which no saga ended, and a host that does not report memory', () => {
    const verdict = soakVerdict([minute(1, 100, null), minute(2, null, null)]);
    expect(verdict.p99).toEqual({ pass: false, detail: 'no saga ended in minute 2' });
    expect(verdict.memory).toEqual({ pass: false, detail: 'the host does not report its memory' });
  });

  it('needs two minutes to judge anything', () => {
    expect(soakVerdict([minute(1, 100, 400)]).p99).toEqual({ pass: false, detail: 'needs at least two minutes' });
  });
});

describe('the minutes the verdict judges', () => {
  it('count each saga in the minute it ended, not the one in which the benchmark learnt it', () => {
    const live = [minute(1, null, 400), minute(2, 900, 410)];
    const started = 1_000_000;
    const ended = [
      { finishedAtMs: started + 10_000, latencyMs: 40 },
      { finishedAtMs: started + 59_999, latencyMs: 60 },
      { finishedAtMs: started + 60_000, latencyMs: 80 },
      { finishedAtMs: started + 130_000, latencyMs: 999 },
    ];
    const settled = byEndMinute(live, ended, started, 60_000);
    expect(settled.map((m) => [m.minute, m.completed, m.p50Ms, m.p99Ms])).toEqual([
      [1, 2, 40, 60],
      [2, 1, 80, 80],
    ]);
    expect(settled[0]?.residentMiB).toBe(400);
  });
});
