/**
 * The task hub survives a crash. A first engine runs on a data folder until the moment under test, then is
 * abandoned as a killed process would leave it: nothing drained or closed, its invocations never return
 * and its clock stands still, so it writes nothing more. A second engine opens the same folder, as the
 * next `npm start` would, and must finish every instance with each activity result used once.
 * Orchestrators are durable-functions' own replay code.
 */
import fs from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock, realClock } from '../../src/local-host/clock';
import type { FunctionInvoker, HostClock, InvocationRequest, InvocationResult, RegisteredFunction, RpcTypedData } from '../../src/local-host/contracts';
import { DurableEngine } from '../../src/local-host/durable/engine';
import { EventType, type HistoryEvent } from '../../src/local-host/durable/history';
import type { InstanceRecord } from '../../src/local-host/durable/instance-store';
import { inMemory, onDisk, type StateLocation } from '../../src/local-host/storage/state-location';
import { waitFor } from './helpers';

type Generator = (context: df.OrchestrationContext) => Iterator<unknown, unknown, unknown>;
type OrchestratorHandler = (trigger: unknown, context: InvocationContext) => Promise<unknown>;

const dfRequire = Module.createRequire(require.resolve('durable-functions'));
const { createOrchestrator } = dfRequire('./util/testingUtils') as { createOrchestrator(fn: Generator): OrchestratorHandler };

function registered(name: string, triggerType: string): RegisteredFunction {
  const trigger = { type: triggerType, direction: 'in' as const };
  return { name, bindings: { trigger }, triggerName: 'trigger', trigger };
}

function toRpc(value: unknown): RpcTypedData | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return { string: value };
  return { json: JSON.stringify(value) };
}

/** Flaky fails the first attempt of each key; attempts survive the "restart" like an external system would. */
const flakyAttempts = new Map<string, number>();

const orchestrators: Record<string, Generator> = {
  Chain: function* (context) {
    const first = (yield context.df.callActivity('Step', 'a')) as string;
    return (yield context.df.callActivity('Step', `${first}b`)) as string;
  },
  Sleepy: function* (context) {
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 300));
    return (yield context.df.callActivity('Step', 'after')) as string;
  },
  Parent: function* (context) {
    const child = (yield context.df.callSubOrchestrator('Chain', undefined, `${context.df.instanceId}-child`)) as string;
    return { child };
  },
  Retrying: function* (context) {
    return (yield context.df.callActivityWithRetry('Flaky', new df.RetryOptions(200, 3), context.df.instanceId)) as string;
  },
};

const activities: Record<string, (input: unknown) => unknown> = {
  Step: (input) => `${String(input)}!`,
  Flaky: (key) => {
    const attempt = (flakyAttempts.get(String(key)) ?? 0) + 1;
    flakyAttempts.set(String(key), attempt);
    if (attempt === 1) throw new Error(`${String(key)} attempt 1 failed`);
    return `ok after ${attempt}`;
  },
};

/** The app as one process runs it; `hangIf` makes an invocation never return (the process dies during it). */
class ProcessInvoker implements FunctionInvoker {
  readonly #handlers = new Map(Object.entries(orchestrators).map(([name, fn]) => [name, createOrchestrator(fn)]));
  /** Activities that ran to the end in this process, as `Name(input)`. */
  readonly ran: string[] = [];
  hung = 0;

  constructor(private readonly hangIf: (fn: RegisteredFunction, input: unknown) => boolean = () => false) {}

  readonly functions: RegisteredFunction[] = [
    ...Object.keys(orchestrators).map((name) => registered(name, 'orchestrationTrigger')),
    ...Object.keys(activities).map((name) => registered(name, 'activityTrigger')),
  ];

  async invoke(fn: RegisteredFunction, request: InvocationRequest): Promise<InvocationResult> {
    const input: unknown = JSON.parse(request.triggerData.json ?? 'null');
    if (this.hangIf(fn, input)) {
      this.hung++;
      return new Promise<InvocationResult>(() => undefined);
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (fn.trigger.type === 'activityTrigger') {
      const value = activities[fn.name]!(input);
      this.ran.push(`${fn.name}(${JSON.stringify(input)})`);
      return { returnValue: toRpc(value), outputData: [] };
    }
    const context = new InvocationContext({ functionName: fn.name, invocationId: 'recovery', logHandler: () => undefined });
    return { returnValue: toRpc(await this.#handlers.get(fn.name)!(input, context)), outputData: [] };
  }
}

const engines: DurableEngine[] = [];
const dirs: string[] = [];

function engineOn(state: StateLocation, invoker: ProcessInvoker, clock: HostClock = realClock): DurableEngine {
  const engine = new DurableEngine({ functions: invoker.functions, invoker, clock, hubName: 'RecoveryHub', origin: 'http://127.0.0.1:1', log: () => undefined, state });
  engines.push(engine);
  return engine;
}

function dataDir(): StateLocation {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskhub-'));
  dirs.push(dir);
  return onDisk(dir);
}

/** A clock that stands still: the crashed process's timers never fire. */
function stoppedClock(): HostClock {
  const clock = createVirtualClock({ start: new Date() });
  clock.pause();
  return clock;
}

const finished = (r: InstanceRecord): boolean => ['Completed', 'Failed', 'Terminated'].includes(r.runtimeStatus);

/** Every task id that got a result got exactly one. */
function resultsPerTask(events: HistoryEvent[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const event of events) {
    if ([EventType.TaskCompleted, EventType.TaskFailed, EventType.SubOrchestrationInstanceCompleted, EventType.SubOrchestrationInstanceFailed].includes(event.EventType)) {
      const id = event.TaskScheduledId as number;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

function expectEachResultOnce(record: InstanceRecord): void {
  for (const [id, count] of resultsPerTask(record.history)) expect(count, `results for task ${id}`).toBe(1);
}

/** Starts `name` on a first engine that dies at the point `hangIf` marks, and returns the restarted engine. */
async function crashAndRestart(
  name: string,
  instanceId: string,
  crashPoint: { hangIf?: (fn: RegisteredFunction, input: unknown) => boolean; reached: (first: DurableEngine, invoker: ProcessInvoker) => boolean },
): Promise<{ first: ProcessInvoker; second: ProcessInvoker; engine: DurableEngine }> {
  const state = dataDir();
  const first = new ProcessInvoker(crashPoint.hangIf);
  const doomed = engineOn(state, first, stoppedClock());
  await doomed.start();
  expect(doomed.startNew(name, { instanceId }).ok).toBe(true);
  await waitFor(() => crashPoint.reached(doomed, first), `the crash point of ${instanceId}`, 5_000);
  // The process is gone: nothing of it runs any more. The next start opens the same folder.
  const second = new ProcessInvoker();
  const engine = engineOn(state, second);
  await engine.start();
  return { first, second, engine };
}

afterEach(() => {
  for (const engine of engines.splice(0)) engine.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('recovery after a crash', () => {
  it('runs an activity that was in flight again', async () => {
    const { first, second, engine } = await crashAndRestart('Chain', 'in-flight', {
      hangIf: (fn, input) => fn.name === 'Step' && input === 'a!b',
      reached: (_engine, invoker) => invoker.hung === 1,
    });
    const done = await engine.waitForInstance('in-flight', finished, 5_000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(JSON.parse(done.output!)).toBe('a!b!');
    expect(first.ran).toEqual(['Step("a")']);
    expect(second.ran).toEqual(['Step("a!b")']);
    expectEachResultOnce(done);
  });

  it('uses a result that was delivered but whose episode never committed, without running the activity again', async () => {
    const { first, second, engine } = await crashAndRestart('Chain', 'delivered', {
      // The orchestrator episode that would consume the first result never returns.
      hangIf: (fn, input) =>
        fn.trigger.type === 'orchestrationTrigger' && (input as { history: HistoryEvent[] }).history.some((e) => e.EventType === EventType.TaskCompleted),
      reached: (_engine, invoker) => invoker.hung === 1,
    });
    const done = await engine.waitForInstance('delivered', finished, 5_000);
    expect(JSON.parse(done.output!)).toBe('a!b!');
    expect(first.ran).toEqual(['Step("a")']);
    expect(second.ran).toEqual(['Step("a!b")']);
    expectEachResultOnce(done);
  });

  it('re-arms a pending durable timer from its fire time', async () => {
    const { first, second, engine } = await crashAndRestart('Sleepy', 'sleepy', {
      reached: (doomed) => doomed.getInstance('sleepy')?.history.some((e) => e.EventType === EventType.TimerCreated) ?? false,
    });
    const done = await engine.waitForInstance('sleepy', finished, 5_000);
    expect(JSON.parse(done.output!)).toBe('after!');
    expect(done.history.filter((e) => e.EventType === EventType.TimerFired)).toHaveLength(1);
    expect(first.ran).toEqual([]);
    expect(second.ran).toEqual(['Step("after")']);
  });

  it('resumes a retry where it stood: the retry timer is re-armed and the next attempt numbered as DF expects', async () => {
    const { first, second, engine } = await crashAndRestart('Retrying', 'retrying', {
      reached: (doomed) => {
        const events = doomed.getInstance('retrying')?.history ?? [];
        return events.some((e) => e.EventType === EventType.TaskFailed) && events.some((e) => e.EventType === EventType.TimerCreated);
      },
    });
    const done = await engine.waitForInstance('retrying', finished, 5_000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(JSON.parse(done.output!)).toBe('ok after 2');
    expect(first.ran).toEqual([]); // the first attempt threw
    expect(second.ran).toEqual(['Flaky("retrying")']);
    expect(done.history.filter((e) => e.EventType === EventType.TaskScheduled).map((e) => e.EventId)).toEqual([0, 2]);
    expectEachResultOnce(done);
  });

  it('finishes a running sub-orchestration and reports it to its parent', async () => {
    const { first, second, engine } = await crashAndRestart('Parent', 'parent', {
      hangIf: (fn, input) => fn.name === 'Step' && input === 'a!b',
      reached: (_engine, invoker) => invoker.hung === 1,
    });
    const done = await engine.waitForInstance('parent', finished, 5_000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(JSON.parse(done.output!)).toEqual({ child: 'a!b!' });
    expect(engine.getInstance('parent-child')?.runtimeStatus).toBe('Completed');
    expect(first.ran).toEqual(['Step("a")']);
    expect(second.ran).toEqual(['Step("a!b")']);
    expectEachResultOnce(done);
    expectEachResultOnce(engine.getInstance('parent-child')!);
  });

  it('reads a finished instance back from the task hub: status and history', async () => {
    const state = dataDir();
    const doomed = engineOn(state, new ProcessInvoker(), stoppedClock());
    doomed.startNew('Chain', { instanceId: 'done-before', input: { order: 7 } });
    await doomed.waitForInstance('done-before', finished, 5_000);
    const before = doomed.getStatus('done-before', { showHistory: true, showHistoryOutput: true });
    const engine = engineOn(state, new ProcessInvoker());
    await engine.start();
    expect(engine.getStatus('done-before', { showHistory: true, showHistoryOutput: true })).toEqual(before);
    expect(before?.historyEvents?.map((e) => e.EventType)).toEqual(['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted']);
    expect(engine.getInstance('done-before')).toMatchObject({ runtimeStatus: 'Completed', output: '"a!b!"', input: '{"order":7}' });
    expect(engine.residency).toEqual({ records: 0, executions: 0, stored: 1 });
  });
});

describe('bounded memory', () => {
  it('keeps no record, history or execution of finished instances in the heap', async () => {
    const invoker = new ProcessInvoker();
    const engine = engineOn(inMemory, invoker);
    const ids = Array.from({ length: 40 }, (_, i) => `bounded-${i}`);
    for (const id of ids) engine.startNew('Chain', { instanceId: id });
    expect(engine.residency.records).toBe(40);
    for (const id of ids) await engine.waitForInstance(id, finished, 10_000);
    expect(engine.residency).toEqual({ records: 0, executions: 0, stored: 40 });
    // Still there for the status API, from SQLite.
    expect(engine.getStatus('bounded-39')?.runtimeStatus).toBe('Completed');
    expect(engine.getInstance('bounded-0')?.history).toHaveLength(12);
  });
});
