/** Unit tests of the Durable engine's pure parts: numbering, retries, wire formats, store, primitives. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/local-host/clock';
import { ActionType, flattenActions, type OrchestratorAction, type OrchestratorState } from '../../src/local-host/durable/actions';
import { clientBindingData } from '../../src/local-host/durable/client-urls';
import { DurableTimers } from '../../src/local-host/durable/durable-timers';
import { planEpisode, type WorkItem } from '../../src/local-host/durable/episode-plan';
import { activityFailure, parseExceptionPropertiesJson, readOrchestratorFailure } from '../../src/local-host/durable/failures';
import { EventType, history, type HistoryEvent } from '../../src/local-host/durable/history';
import { childInstanceId, instanceIdProblem } from '../../src/local-host/durable/ids';
import type { InstanceRecord } from '../../src/local-host/durable/instance-store';
import { nextRetryDelay, readRetryPolicy } from '../../src/local-host/durable/retry-policy';
import { Semaphore } from '../../src/local-host/durable/semaphore';
import { historyEvents, statusPayload } from '../../src/local-host/durable/status-payload';
import { TaskHubStore } from '../../src/local-host/durable/task-hub-store';
import { TaskLedger } from '../../src/local-host/durable/task-ledger';
import { openDatabase } from '../../src/local-host/storage/sqlite';
import { toHistoryTimestamp, toStatusTime } from '../../src/local-host/durable/time-format';
import { returnValueToJson, unwrapProcessedInput } from '../../src/local-host/durable/typed-data';

const t0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);
const ctx = (ms = 0) => ({ now: at(ms), childInstanceId: (taskId: number) => `child-${taskId}` });

function state(actions: OrchestratorAction[], extra: Partial<OrchestratorState> = {}): OrchestratorState {
  return { isDone: false, actions: [actions], schemaVersion: 2, ...extra };
}

const activity = (name: string, input?: unknown): OrchestratorAction => ({ actionType: ActionType.CallActivity, functionName: name, input });
const timer = (fireAt: Date, isCanceled = false): OrchestratorAction => ({ actionType: ActionType.CreateTimer, fireAt: fireAt.toISOString(), isCanceled });
const started = history.executionStarted(t0, { instanceId: 'i', executionId: 'e', name: 'O', version: null, input: null, generation: 0 });

function scheduledIds(events: HistoryEvent[]): Array<[string, number]> {
  return events.map((e) => [EventType[e.EventType]!, e.EventId]);
}

describe('retry policy (DTFx RetryInterceptor)', () => {
  it('reads DF retry options with the extension defaults', () => {
    expect(readRetryPolicy({ firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3 })).toEqual({
      firstRetryIntervalMs: 1000,
      maxNumberOfAttempts: 3,
      backoffCoefficient: 1,
      maxRetryIntervalMs: 6 * 24 * 60 * 60 * 1000,
      retryTimeoutMs: Number.POSITIVE_INFINITY,
    });
    expect(() => readRetryPolicy({ maxNumberOfAttempts: 3 })).toThrow(/firstRetryIntervalInMilliseconds/);
  });

  it('backs off exponentially up to the cap and expires after retryTimeout', () => {
    const policy = readRetryPolicy({ firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 9, backoffCoefficient: 2, maxRetryIntervalInMilliseconds: 5000, retryTimeoutInMilliseconds: 10_000 });
    expect([0, 1, 2, 3].map((i) => nextRetryDelay(policy, i, t0, t0).delayMs)).toEqual([1000, 2000, 4000, 5000]);
    expect(nextRetryDelay(policy, 0, t0, at(9_999))).toEqual({ delayMs: 1000, expired: false });
    expect(nextRetryDelay(policy, 0, t0, at(10_000))).toEqual({ delayMs: 0, expired: true });
  });
});

describe('task numbering (planEpisode)', () => {
  it('numbers retry timers and re-attempts lazily, as in DF testhistories (RetryOptions(first, 2), all failing)', () => {
    const ledger = new TaskLedger();
    const actions = [{ actionType: ActionType.CallActivityWithRetry, functionName: 'Hello', input: '"Tokyo"', retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 2 } }];
    const failure = { reason: 'r', details: 'd' };
    const steps: Array<{ delivered: HistoryEvent; now: number }> = [
      { delivered: started, now: 0 },
      { delivered: history.taskFailed(at(10), 0, failure), now: 10 },
      { delivered: history.timerFired(at(1010), 1, at(1010)), now: 1010 },
      { delivered: history.taskFailed(at(1020), 2, failure), now: 1020 },
      { delivered: history.timerFired(at(2020), 3, at(2020)), now: 2020 },
    ];
    const plans = steps.map(({ delivered, now }) => planEpisode(ledger, delivered, state(actions), ctx(now)));
    expect(plans.map((p) => scheduledIds(p.scheduled))).toEqual([[['TaskScheduled', 0]], [['TimerCreated', 1]], [['TaskScheduled', 2]], [['TimerCreated', 3]], []]);
    expect(plans[0]!.work).toEqual([{ type: 'activity', taskId: 0, name: 'Hello', input: '"Tokyo"' }]);
    expect(plans[1]!.work).toEqual([{ type: 'timer', timerId: 1, fireAt: at(1010) }]);
    expect(plans[3]!.work).toEqual([{ type: 'timer', timerId: 3, fireAt: at(2020) }]);
  });

  it('numbers Task.all / Task.any children depth-first and honours timer.cancel()', () => {
    const ledger = new TaskLedger();
    const deadline = at(60_000);
    const tree: OrchestratorAction[] = [
      {
        actionType: ActionType.WhenAll,
        compoundActions: [activity('A'), { actionType: ActionType.WhenAny, compoundActions: [activity('B'), timer(deadline)] }],
      },
      { actionType: ActionType.WaitForExternalEvent, externalEventName: 'E', reason: 'ExternalEvent' },
      activity('C', 'x'),
    ];
    const first = planEpisode(ledger, started, state(tree), ctx());
    expect(scheduledIds(first.scheduled)).toEqual([
      ['TaskScheduled', 0],
      ['TaskScheduled', 1],
      ['TimerCreated', 2],
      ['TaskScheduled', 3],
    ]);
    // C's string input arrives JSON-encoded by DF and reaches the activity as the value itself.
    expect(first.work.find((w): w is Extract<WorkItem, { type: 'activity' }> => w.type === 'activity' && w.name === 'C')?.input).toBe('"x"');

    const canceled = structuredClone(tree);
    canceled[0]!.compoundActions![1]!.compoundActions![1]!.isCanceled = true;
    const next = planEpisode(ledger, history.taskCompleted(at(5), 1, '1'), state([...canceled, activity('D')]), ctx(5));
    expect(scheduledIds(next.scheduled)).toEqual([['TaskScheduled', 4]]);
    expect(next.work).toContainEqual({ type: 'cancelTimer', timerId: 2 });
  });

  it('fails the remaining attempts at once after retryTimeout, still with a timer after each failure', () => {
    const ledger = new TaskLedger();
    const actions = [{ actionType: ActionType.CallActivityWithRetry, functionName: 'F', retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3, retryTimeoutInMilliseconds: 500 } }];
    const failure = { reason: 'r', details: 'd' };
    planEpisode(ledger, started, state(actions), ctx(0));
    const afterFirst = planEpisode(ledger, history.taskFailed(at(600), 0, failure), state(actions), ctx(600));
    expect(afterFirst.work).toEqual([{ type: 'timer', timerId: 1, fireAt: at(600) }]);
    const reattempt = planEpisode(ledger, history.timerFired(at(600), 1, at(600)), state(actions), ctx(600));
    expect(reattempt.work).toEqual([{ type: 'failTask', taskId: 2, failure, subOrchestration: false }]);
  });

  it('gives sub-orchestrations generated ids and reports what the host cannot run', () => {
    const ledger = new TaskLedger();
    const plan = planEpisode(
      ledger,
      started,
      state([
        { actionType: ActionType.CallSubOrchestrator, functionName: 'Child', input: 'raw' },
        { actionType: ActionType.CallSubOrchestrator, functionName: 'Child', instanceId: 'fixed', input: { a: 1 } },
        { actionType: ActionType.SignalEntity, instanceId: '@counter@one', operation: 'add' },
      ]),
      ctx(),
    );
    expect(plan.work.slice(0, 2)).toEqual([
      { type: 'subOrchestration', taskId: 0, name: 'Child', instanceId: 'child-0', input: '"raw"' },
      { type: 'subOrchestration', taskId: 1, name: 'Child', instanceId: 'fixed', input: '{"a":1}' },
    ]);
    expect(plan.unsupported).toMatch(/entities/);
  });

  it('flattens nested compound actions depth-first', () => {
    const flat = flattenActions(state([{ actionType: ActionType.WhenAny, compoundActions: [{ actionType: ActionType.WhenAll, compoundActions: [activity('1'), activity('2')] }, activity('3')] }, activity('4')]));
    expect(flat.map((a) => a.functionName)).toEqual(['1', '2', '3', '4']);
  });
});

describe('wire formats', () => {
  it('formats timestamps like .NET', () => {
    expect(toHistoryTimestamp(new Date('2024-01-01T00:00:05.123Z'))).toBe('2024-01-01T00:00:05.1230000Z');
    expect(toStatusTime(new Date('2024-01-01T00:00:05.123Z'))).toBe('2024-01-01T00:00:05Z');
  });

  it('reads the state embedded in an OrchestrationFailureError', () => {
    const embedded = { isDone: false, actions: [[]], error: 'bad input', schemaVersion: 2 };
    expect(readOrchestratorFailure(new Error(`false\n\n$OutOfProcData$:${JSON.stringify(embedded)}`))).toEqual({ error: 'bad input', state: embedded });
    expect(readOrchestratorFailure(new Error('crash'))).toEqual({ error: 'crash' });
  });

  it('turns exception-properties JSON into FailureDetails and anything else into Reason/Details', () => {
    const json = JSON.stringify({ errorType: 'PaymentError', errorMessage: 'declined', isNonRetriable: false, properties: { code: 7 }, stackTrace: 'at x' });
    expect(parseExceptionPropertiesJson(json)).toEqual({ ErrorType: 'PaymentError', ErrorMessage: 'declined', StackTrace: 'at x', IsNonRetriable: false, Properties: { code: 7 }, InnerFailure: null });
    expect(activityFailure('Pay', new Error(json))).toMatchObject({ reason: "Activity function 'Pay' failed: declined", failureDetails: { ErrorType: 'PaymentError' } });
    const plain = activityFailure('Pay', new Error('{not json'));
    expect(plain.reason).toBe("Activity function 'Pay' failed: {not json");
    expect(plain.failureDetails).toBeUndefined();
    expect(plain.details).toContain('Error: {not json');
  });

  it('JSON-encodes return values the way the extension stores them', () => {
    expect(returnValueToJson({ string: '123' })).toBe('"123"');
    expect(returnValueToJson({ int: 5 })).toBe('5');
    expect(returnValueToJson({ json: '{"a":1}' })).toBe('{"a":1}');
    expect(returnValueToJson(null)).toBeNull();
    expect(unwrapProcessedInput('"Tokyo"')).toBe('Tokyo');
    expect(unwrapProcessedInput({ a: 1 })).toEqual({ a: 1 });
  });

  it('validates instance ids and derives stable child ids', () => {
    expect(instanceIdProblem('a/b')).toMatch(/must not contain/);
    expect(instanceIdProblem('@x')).toMatch(/must not start with @/);
    expect(instanceIdProblem('order-1')).toBeUndefined();
    expect(childInstanceId('p', 'e', 3)).toBe(childInstanceId('p', 'e', 3));
    expect(childInstanceId('p', 'e', 3)).not.toBe(childInstanceId('p', 'e', 4));
  });

  it('builds the client binding with an rpcBaseUrl ending in a slash', () => {
    const binding = clientBindingData('http://127.0.0.1:7071', 'Hub') as { rpcBaseUrl: string; managementUrls: Record<string, string>; creationUrls: Record<string, string> };
    expect(binding.rpcBaseUrl).toBe('http://127.0.0.1:7071/durabletask/');
    expect(binding.managementUrls.statusQueryGetUri).toBe('http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/INSTANCEID?taskHub=Hub&connection=Storage');
    expect(binding.creationUrls.createNewInstancePostUri).toBe('http://127.0.0.1:7071/runtime/webhooks/durabletask/orchestrators/{functionName}[/{instanceId}]?');
  });
});

function record(overrides: Partial<InstanceRecord>): InstanceRecord {
  return {
    instanceId: 'id',
    name: 'O',
    version: null,
    runtimeStatus: 'Completed',
    input: null,
    output: null,
    customStatus: null,
    createdTime: t0,
    lastUpdatedTime: t0,
    executionId: 'e',
    generation: 0,
    history: [],
    ...overrides,
  };
}

describe('status payload', () => {
  it('parses stored JSON and keeps non-JSON text (failure messages) as strings', () => {
    const payload = statusPayload(record({ input: '{"a":1}', output: "Orchestrator function 'O' failed: x", customStatus: '"busy"' }));
    expect(payload).toEqual({
      name: 'O',
      instanceId: 'id',
      runtimeStatus: 'Completed',
      input: { a: 1 },
      customStatus: 'busy',
      output: "Orchestrator function 'O' failed: x",
      createdTime: '2030-01-01T00:00:00Z',
      lastUpdatedTime: '2030-01-01T00:00:00Z',
    });
  });

  it('projects history as the extension does for showHistory', () => {
    const events = [
      history.orchestratorStarted(t0),
      started,
      history.taskScheduled(t0, 0, 'SayHello', '"x"'),
      history.timerCreated(t0, 1, at(5)),
      history.orchestratorCompleted(t0),
      history.orchestratorStarted(at(1)),
      history.taskCompleted(at(1), 0, '"Hello x!"'),
      history.orchestratorCompleted(at(1)),
    ];
    expect(historyEvents(events, true)).toEqual([
      { EventType: 'ExecutionStarted', Timestamp: toHistoryTimestamp(t0), FunctionName: 'O', Correlation: null, ScheduledStartTime: null, Generation: 0 },
      { EventType: 'TimerCreated', Timestamp: toHistoryTimestamp(t0), FireAt: toHistoryTimestamp(at(5)) },
      { EventType: 'TaskCompleted', Timestamp: toHistoryTimestamp(at(1)), Result: 'Hello x!', ScheduledTime: toHistoryTimestamp(t0), FunctionName: 'SayHello' },
    ]);
    expect(historyEvents(events, false)[2]).not.toHaveProperty('Result');
  });
});

describe('task hub store', () => {
  it('pages a query with continuation tokens, oldest first', () => {
    const store = new TaskHubStore(openDatabase(':memory:'));
    for (let i = 0; i < 5; i++) store.create(record({ instanceId: `i${i}`, createdTime: at(i), runtimeStatus: i % 2 ? 'Running' : 'Completed' }));
    const first = store.page({}, 2, undefined);
    expect(first.records.map((r) => r.instanceId)).toEqual(['i0', 'i1']);
    const second = store.page({}, 2, first.continuationToken);
    const third = store.page({}, 2, second.continuationToken);
    expect(third.records.map((r) => r.instanceId)).toEqual(['i4']);
    expect(third.continuationToken).toBeUndefined();
    expect(store.page({ runtimeStatus: ['Running'], createdTimeFrom: at(2) }, undefined, undefined).records.map((r) => r.instanceId)).toEqual(['i3']);
    expect(() => store.page({}, 2, 'garbage')).toThrow(RangeError);
  });

  it('filters by id prefix (glob characters taken literally) and keeps only running instances in the heap', () => {
    const store = new TaskHubStore(openDatabase(':memory:'));
    for (const id of ['order-1', 'order-2', 'order*3', 'other', 'ORDER-4']) store.create(record({ instanceId: id, runtimeStatus: 'Completed' }));
    store.create(record({ instanceId: 'order-running', runtimeStatus: 'Running' }));
    expect(store.page({ instanceIdPrefix: 'order-' }, undefined, undefined).records.map((r) => r.instanceId).sort()).toEqual(['order-1', 'order-2', 'order-running']);
    expect(store.page({ instanceIdPrefix: 'order*' }, undefined, undefined).records.map((r) => r.instanceId)).toEqual(['order*3']);
    expect(store.liveRecords).toBe(1);
    expect(store.deleteFinished({ instanceIdPrefix: 'order' })).toBe(3);
    expect(store.size).toBe(3);
  });
});

describe('task hub file layout', () => {
  it('refuses a file of another layout with a clear message, and reopens its own', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskhub-layout-'));
    try {
      const own = path.join(dir, 'own.sqlite');
      const first = new TaskHubStore(openDatabase(own));
      first.create(record({ instanceId: 'kept', runtimeStatus: 'Completed' }));
      first.close();
      const again = new TaskHubStore(openDatabase(own));
      expect(again.summary('kept')?.runtimeStatus).toBe('Completed');
      again.close();

      const foreign = path.join(dir, 'foreign.sqlite');
      const db = openDatabase(foreign);
      db.exec('CREATE TABLE instances (instance_id TEXT PRIMARY KEY)');
      db.close();
      expect(() => new TaskHubStore(openDatabase(foreign))).toThrow(/has layout 0, this host writes layout 1/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('task ledger snapshot', () => {
  it('restores numbering, shared retry state, Infinity and exact dates, and pending timers', () => {
    const ledger = new TaskLedger();
    const actions = [
      { actionType: ActionType.CallActivityWithRetry, functionName: 'Hello', input: '"Tokyo"', retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3 } },
      { actionType: ActionType.CreateTimer, fireAt: at(90_000).toISOString(), isCanceled: false },
    ];
    const failure = { reason: 'r', details: 'd' };
    planEpisode(ledger, started, state(actions), ctx(7));
    planEpisode(ledger, history.taskFailed(at(10), 0, failure), state(actions), ctx(10));
    const restored = TaskLedger.restore(ledger.serialize());
    expect(restored.serialize()).toBe(ledger.serialize());
    expect(restored.pendingTimers()).toEqual([
      [1, at(90_000)],
      [2, at(1010)],
    ]);
    const retry = restored.get(2)!.retry!;
    expect(retry).toBe(restored.get(0)!.retry);
    expect(retry.policy.retryTimeoutMs).toBe(Number.POSITIVE_INFINITY);
    expect(retry.firstAttemptAt).toEqual(at(7));
    expect(retry.lastFailure).toEqual(failure);
    // The restored ledger carries on exactly as the original does.
    const fromOriginal = planEpisode(ledger, history.timerFired(at(1010), 2, at(1010)), state(actions), ctx(1010));
    const fromRestored = planEpisode(restored, history.timerFired(at(1010), 2, at(1010)), state(actions), ctx(1010));
    expect(fromRestored).toEqual(fromOriginal);
    expect(fromRestored.work).toEqual([{ type: 'activity', taskId: 3, name: 'Hello', input: '"Tokyo"' }]);
  });
});

describe('primitives', () => {
  it('bounds concurrency and serves waiters in order', async () => {
    const semaphore = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        semaphore.run(async () => {
          running++;
          peak = Math.max(peak, running);
          order.push(i);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('fires durable timers on the clock and never after cancellation', async () => {
    const clock = createVirtualClock({ start: t0 });
    clock.pause();
    const timers = new DurableTimers(clock, () => undefined);
    const fired: string[] = [];
    timers.schedule('a\u0000e\u00001', at(1000), () => fired.push('a1'));
    timers.schedule('a\u0000e\u00002', at(2000), () => fired.push('a2'));
    timers.schedule('b\u0000e\u00001', at(40 * 24 * 60 * 60 * 1000), () => fired.push('b1'));
    timers.cancelPrefix('a\u0000e\u0000');
    timers.schedule('a\u0000e\u00003', at(500), () => fired.push('a3'));
    for (const step of [500, 2000, 40 * 24 * 60 * 60 * 1000]) {
      clock.advanceTo(at(step));
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(fired).toEqual(['a3', 'b1']);
    expect(timers.pending).toBe(0);
  });
});
