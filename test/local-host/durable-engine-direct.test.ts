/**
 * The Durable engine without the host: a small invoker calls durable-functions' own orchestrator handler
 * and plain activity functions. That gives the tests access to DF's internal state after each episode, so
 * the host's task numbering can be checked against DF's open tasks, and full control over timing for
 * drain and concurrency limits.
 */
import Module from 'node:module';
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/local-host/clock';
import type { FunctionInvoker, InvocationRequest, InvocationResult, RegisteredFunction, RpcTypedData } from '../../src/local-host/contracts';
import { DurableEngine, type DurableEngineOptions } from '../../src/local-host/durable/engine';
import { EventType, type HistoryEvent } from '../../src/local-host/durable/history';
import { realClock } from '../../src/local-host/clock';

type Generator = (context: df.OrchestrationContext) => Iterator<unknown, unknown, unknown>;
type OrchestratorHandler = (trigger: unknown, context: InvocationContext) => Promise<unknown>;

// durable-functions keeps the handler factory out of its public types; the worker would call the same function.
const dfRequire = Module.createRequire(require.resolve('durable-functions'));
const { createOrchestrator } = dfRequire('./util/testingUtils') as { createOrchestrator(fn: Generator): OrchestratorHandler };

interface DfExecutorView {
  taskOrchestratorExecutor: { openTasks: Record<string, unknown> };
}

function registered(name: string, triggerType: string): RegisteredFunction {
  const trigger = { type: triggerType, direction: 'in' as const };
  return { name, bindings: { trigger }, triggerName: 'trigger', trigger };
}

function toRpc(value: unknown): RpcTypedData | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { int: value } : { double: value };
  return { json: JSON.stringify(value) };
}

/** Ids the host scheduled and has not completed, from a history (a cancelled timer stays open, as in DF). */
function openIds(history: HistoryEvent[]): number[] {
  const open = new Set<number>();
  for (const event of history) {
    if ([EventType.TaskScheduled, EventType.TimerCreated, EventType.SubOrchestrationInstanceCreated].includes(event.EventType)) open.add(event.EventId);
    if ([EventType.TaskCompleted, EventType.TaskFailed, EventType.SubOrchestrationInstanceCompleted, EventType.SubOrchestrationInstanceFailed].includes(event.EventType)) {
      open.delete(event.TaskScheduledId as number);
    }
    if (event.EventType === EventType.TimerFired) open.delete(event.TimerId as number);
  }
  return [...open].sort((a, b) => a - b);
}

class DirectInvoker implements FunctionInvoker {
  readonly orchestrators = new Map<string, OrchestratorHandler>();
  readonly activities = new Map<string, (input: unknown) => unknown>();
  /** DF's open task ids after the last episode of each instance. */
  readonly dfOpen = new Map<string, number[]>();
  readonly mismatches: string[] = [];
  running = { orchestrators: 0, activities: 0 };
  peak = { orchestrators: 0, activities: 0 };

  get functions(): RegisteredFunction[] {
    return [
      ...[...this.orchestrators.keys()].map((name) => registered(name, 'orchestrationTrigger')),
      ...[...this.activities.keys()].map((name) => registered(name, 'activityTrigger')),
    ];
  }

  async invoke(fn: RegisteredFunction, request: InvocationRequest): Promise<InvocationResult> {
    const input: unknown = JSON.parse(request.triggerData.json ?? 'null');
    const kind = fn.trigger.type === 'orchestrationTrigger' ? 'orchestrators' : 'activities';
    this.running[kind]++;
    this.peak[kind] = Math.max(this.peak[kind], this.running[kind]);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      if (kind === 'activities') return { returnValue: toRpc(await this.activities.get(fn.name)!(input)), outputData: [] };
      return await this.#orchestrate(fn, input as { instanceId: string; history: HistoryEvent[] });
    } finally {
      this.running[kind]--;
    }
  }

  async #orchestrate(fn: RegisteredFunction, payload: { instanceId: string; history: HistoryEvent[] }): Promise<InvocationResult> {
    // The stored part of the history is what the host committed after the previous episode.
    const committed = payload.history.slice(0, -2);
    const expected = this.dfOpen.get(payload.instanceId);
    if (expected && JSON.stringify(expected) !== JSON.stringify(openIds(committed))) {
      this.mismatches.push(`${payload.instanceId}: DF has open tasks ${JSON.stringify(expected)}, host ${JSON.stringify(openIds(committed))}`);
    }
    const context = new InvocationContext({ functionName: fn.name, invocationId: 'direct', logHandler: () => undefined });
    try {
      return { returnValue: toRpc(await this.orchestrators.get(fn.name)!(payload, context)), outputData: [] };
    } finally {
      const view = (context as unknown as { df?: DfExecutorView }).df;
      const open = Object.keys(view?.taskOrchestratorExecutor.openTasks ?? {}).map(Number).sort((a, b) => a - b);
      this.dfOpen.set(payload.instanceId, open);
    }
  }
}

function engineWith(invoker: DirectInvoker, options: Partial<DurableEngineOptions> = {}): DurableEngine {
  return new DurableEngine({
    functions: invoker.functions,
    invoker,
    clock: realClock,
    hubName: 'DirectHub',
    origin: 'http://127.0.0.1:1',
    log: () => undefined,
    ...options,
  });
}

const finished = (r: { runtimeStatus: string }): boolean => ['Completed', 'Failed', 'Terminated'].includes(r.runtimeStatus);

describe('task numbering against DF', () => {
  it('keeps the host ids equal to DF open tasks through retries, fan-out, races, cancelled timers and children', async () => {
    const invoker = new DirectInvoker();
    const attempts = new Map<string, number>();
    // "a2" fails twice, then succeeds.
    invoker.activities.set('Flaky', (key) => {
      const k = String(key);
      const n = (attempts.get(k) ?? 0) + 1;
      attempts.set(k, n);
      if (n <= Number(k.slice(1))) throw new Error(`${k} attempt ${n}`);
      return `${k}:${n}`;
    });
    invoker.activities.set('Echo', (value) => value);
    invoker.orchestrators.set(
      'Child',
      createOrchestrator(function* (context) {
        return (yield context.df.callActivity('Echo', context.df.getInput())) as number;
      }),
    );
    invoker.orchestrators.set(
      'Mixed',
      createOrchestrator(function* (context) {
        const retry = new df.RetryOptions(20, 3);
        const all = yield context.df.Task.all([
          context.df.callActivityWithRetry('Flaky', retry, 'a2'),
          context.df.callActivity('Echo', 'b'),
          context.df.callActivityWithRetry('Flaky', retry, 'c1'),
        ]);
        const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
        const race = context.df.callActivity('Echo', 'race');
        const winner = (yield context.df.Task.any([context.df.waitForExternalEvent('Go'), timer, race])) as df.Task;
        if (winner !== timer) timer.cancel();
        const child = yield context.df.callSubOrchestrator('Child', 3);
        let failed: string | undefined;
        try {
          yield context.df.callActivityWithRetry('Flaky', new df.RetryOptions(10, 2), 'x9');
        } catch (err) {
          failed = (err as Error).message;
        }
        const after = yield context.df.callActivity('Echo', 'after');
        return { all, winner: winner.result, child, failed, after };
      }),
    );
    invoker.activities.set('Slow', async (n) => {
      await new Promise((resolve) => setTimeout(resolve, 15));
      return n;
    });
    // A retrying call that loses a race keeps failing in the background while the orchestrator schedules
    // new work, so DF's lazy retry numbering interleaves with ordinary numbering across episodes.
    invoker.orchestrators.set(
      'Background',
      createOrchestrator(function* (context) {
        const background = context.df.callActivityWithRetry('Flaky', new df.RetryOptions(25, 3), 'z9');
        const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 5));
        yield context.df.Task.any([background, timer]);
        const sequence: unknown[] = [];
        for (let i = 0; i < 4; i++) sequence.push(yield context.df.callActivity('Slow', i));
        let backgroundError: string | undefined;
        try {
          yield background;
        } catch (err) {
          backgroundError = (err as Error).message;
        }
        return { sequence, backgroundError };
      }),
    );
    const engine = engineWith(invoker);
    expect(engine.startNew('Background', { instanceId: 'background' }).ok).toBe(true);
    const started = engine.startNew('Mixed', { instanceId: 'mixed' });
    expect(started.ok).toBe(true);
    const done = await engine.waitForInstance('mixed', finished, 10_000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(JSON.parse(done.output!)).toEqual({
      all: ['a2:3', 'b', 'c1:2'],
      winner: 'race',
      child: 3,
      failed: expect.stringMatching(/^Activity function 'Flaky' failed: x9 attempt 2/) as unknown,
      after: 'after',
    });
    const background = await engine.waitForInstance('background', finished, 10_000);
    expect(JSON.parse(background.output!)).toEqual({
      sequence: [0, 1, 2, 3],
      backgroundError: expect.stringMatching(/^Activity function 'Flaky' failed: z9 attempt 3/) as unknown,
    });
    expect(invoker.mismatches).toEqual([]);
    expect(invoker.dfOpen.size).toBe(3);
    expect(engine.counters.episodes).toBeGreaterThan(10);
  });
});

describe('concurrency limits', () => {
  it('runs at most maxConcurrentActivities activities and maxConcurrentOrchestrations episodes at once', async () => {
    const invoker = new DirectInvoker();
    invoker.activities.set('Slow', async (n) => {
      await new Promise((resolve) => setTimeout(resolve, 3));
      return n;
    });
    invoker.orchestrators.set(
      'Fan',
      createOrchestrator(function* (context) {
        const values = (yield context.df.Task.all([0, 1, 2, 3, 4, 5].map((n) => context.df.callActivity('Slow', n)))) as number[];
        return values.length;
      }),
    );
    const engine = engineWith(invoker, { maxConcurrentActivities: 2, maxConcurrentOrchestrations: 1 });
    const ids = Array.from({ length: 8 }, (_, i) => `fan-${i}`);
    for (const id of ids) engine.startNew('Fan', { instanceId: id });
    const results = await Promise.all(ids.map((id) => engine.waitForInstance(id, finished, 10_000)));
    expect(results.map((r) => r.output)).toEqual(ids.map(() => '6'));
    expect(invoker.peak).toEqual({ orchestrators: 1, activities: 2 });
    expect(engine.counters.activities).toBe(48);
  });
});

describe('instance lifecycle', () => {
  it('refuses a second start on a live instance id and replaces a finished one', async () => {
    const invoker = new DirectInvoker();
    invoker.orchestrators.set(
      'Wait',
      createOrchestrator(function* (context) {
        return yield context.df.waitForExternalEvent('Done');
      }),
    );
    const engine = engineWith(invoker);
    expect(engine.startNew('Wait', { instanceId: 'saga-1' }).ok).toBe(true);
    const duplicate = engine.startNew('Wait', { instanceId: 'saga-1' });
    expect(duplicate).toMatchObject({ ok: false, status: 409 });
    expect(engine.startNew('Missing').ok).toBe(false);
    await expect(engine.waitForInstance('saga-1', finished, 50)).rejects.toThrow(/status: (Pending|Running)/);
  });

  it('drains: waits for the running activity, then starts nothing and stops timers', async () => {
    const clock = createVirtualClock({ start: new Date('2030-01-01T00:00:00Z') });
    clock.pause();
    const invoker = new DirectInvoker();
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    let activityStarted!: () => void;
    const activityRunning = new Promise<void>((resolve) => (activityStarted = resolve));
    invoker.activities.set('Block', async () => {
      activityStarted();
      await blocked;
      return 'released';
    });
    invoker.orchestrators.set(
      'Blocked',
      createOrchestrator(function* (context) {
        return yield context.df.callActivity('Block');
      }),
    );
    invoker.orchestrators.set(
      'Sleeper',
      createOrchestrator(function* (context) {
        yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1000));
        return 'woke';
      }),
    );
    const engine = engineWith(invoker, { clock, drainTimeoutMs: 5_000 });
    await engine.start();
    engine.startNew('Blocked', { instanceId: 'blocked' });
    engine.startNew('Sleeper', { instanceId: 'sleeper' });
    await activityRunning;
    await engine.waitForInstance('sleeper', (r) => r.history.some((e) => e.EventType === EventType.TimerCreated), 5_000);

    let drained = false;
    const draining = engine.drain().then(() => (drained = true));
    // Negative checks (drain must not finish early, nothing may run after it) need a short real wait.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drained).toBe(false);
    const episodes = engine.counters.episodes;
    release();
    await draining;
    clock.advanceTo(new Date('2030-01-02T00:00:00Z'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(engine.counters.episodes).toBe(episodes);
    expect(engine.getInstance('blocked')?.runtimeStatus).toBe('Running');
    expect(engine.getInstance('sleeper')?.history.some((e) => e.EventType === EventType.TimerFired)).toBe(false);
    await expect(engine.start()).rejects.toThrow(/drained/);
  });
});
