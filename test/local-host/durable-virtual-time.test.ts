/**
 * Durable timers and retry backoff on the host's virtual clock: days of orchestration time pass in
 * milliseconds, and the history shows exactly when each retry timer was due.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../src/local-host/clock';
import type { DurableEngine } from '../../src/local-host/durable/engine';
import { EventType, type HistoryEvent } from '../../src/local-host/durable/history';
import type { InstanceRecord } from '../../src/local-host/durable/instance-store';
import { startHost, type RunningHost } from '../../src/local-host/host';

const appDir = path.resolve(__dirname, '../fixtures/apps/durable-basics');
const day = 24 * 60 * 60 * 1000;
let host: RunningHost;
let engine: DurableEngine;
let clock: VirtualClock;

async function start(orchestrator: string, input: unknown): Promise<string> {
  const res = await fetch(`${host.url}/api/start/${orchestrator}`, { method: 'POST', body: JSON.stringify(input) });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

function finish(id: string): Promise<InstanceRecord> {
  return engine.waitForInstance(id, (r) => ['Completed', 'Failed', 'Terminated'].includes(r.runtimeStatus), 15_000);
}

function parsedOutput(record: InstanceRecord): Record<string, unknown> {
  return JSON.parse(record.output ?? 'null') as Record<string, unknown>;
}

/** [TaskFailed time, TimerCreated FireAt] pairs: when each retry timer was set and when it was due. */
function retryTimers(history: HistoryEvent[]): Array<{ failedAt: number; fireAt: number }> {
  const pairs: Array<{ failedAt: number; fireAt: number }> = [];
  history.forEach((event, index) => {
    if (event.EventType !== EventType.TimerCreated) return;
    const failed = history.slice(0, index).reverse().find((e) => e.EventType === EventType.TaskFailed);
    if (failed) pairs.push({ failedAt: new Date(failed.Timestamp).getTime(), fireAt: new Date(String(event.FireAt)).getTime() });
  });
  return pairs;
}

beforeAll(async () => {
  clock = createVirtualClock({ start: new Date('2030-01-01T00:00:00Z') });
  host = await startHost({ appDir, port: 0, clock, quiet: true });
  engine = host.durable as DurableEngine;
});

afterAll(async () => {
  await host?.stop();
});

describe('durable timers on virtual time', () => {
  it('waits out a 10-day timer without splitting it', async () => {
    const wallStart = Date.now();
    const id = await start('Timer', { ms: 10 * day });
    const done = await finish(id);
    expect(done.runtimeStatus).toBe('Completed');
    const output = parsedOutput(done) as { startedAt: string; fireAt: string; resumedAt: string };
    expect(new Date(output.resumedAt).getTime() - new Date(output.startedAt).getTime()).toBeGreaterThanOrEqual(10 * day);
    // One durable timer, due at the action's own fireAt (no 3-day sub-timers).
    const created = done.history.filter((e) => e.EventType === EventType.TimerCreated);
    expect(created).toHaveLength(1);
    expect(new Date(String(created[0]!.FireAt)).toISOString()).toBe(output.fireAt);
    expect(Date.now() - wallStart).toBeLessThan(5_000);
  });

  it('lets the timer win a Task.any when no event comes', async () => {
    const id = await start('Approval', { timeoutMs: 60 * 60 * 1000 });
    const done = await finish(id);
    expect(parsedOutput(done)).toEqual({ outcome: 'timeout' });
  });
});

describe('activity retries', () => {
  it('succeeds on the second attempt after the first backoff', async () => {
    const key = `ok-${Date.now()}`;
    const id = await start('Retry', { key, failTimes: 1, first: 5_000, attempts: 3, backoff: 2 });
    const done = await finish(id);
    const output = parsedOutput(done) as { ok: boolean; result: { attempt: number }; startedAt: string; endedAt: string };
    expect(output.ok).toBe(true);
    expect(output.result.attempt).toBe(2);
    expect(new Date(output.endedAt).getTime() - new Date(output.startedAt).getTime()).toBeGreaterThanOrEqual(5_000);
    expect(retryTimers(done.history).map((t) => t.fireAt - t.failedAt)).toEqual([5_000]);
  });

  it('gives up after maxNumberOfAttempts with a backoff timer after every failure, the last one included', async () => {
    const key = `exhaust-${Date.now()}`;
    const id = await start('Retry', { key, failTimes: 99, first: 1_000, attempts: 3, backoff: 2 });
    const done = await finish(id);
    const output = parsedOutput(done) as { ok: boolean; message: string; attempts: number; startedAt: string; endedAt: string };
    expect(output.ok).toBe(false);
    expect(output.attempts).toBe(3);
    expect(output.message).toContain(`attempt 3 of ${key} failed`);
    expect(retryTimers(done.history).map((t) => t.fireAt - t.failedAt)).toEqual([1_000, 2_000, 4_000]);
    expect(new Date(output.endedAt).getTime() - new Date(output.startedAt).getTime()).toBeGreaterThanOrEqual(7_000);
  });

  it('stops trying once retryTimeout has passed, without hanging the orchestrator', async () => {
    const key = `timeout-${Date.now()}`;
    const id = await start('Retry', { key, failTimes: 99, first: 1_000, attempts: 5, backoff: 1, timeoutMs: 1_500 });
    const done = await finish(id);
    const output = parsedOutput(done) as { ok: boolean; attempts: number };
    expect(output.ok).toBe(false);
    // Attempts at t0, t0+1s and t0+2s; at t0+2s the 1.5 s budget is spent, so no fourth real attempt.
    expect(output.attempts).toBe(3);
  });
});
