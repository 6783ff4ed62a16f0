/**
 * The Durable engine driven through a fixture app and the real DurableClient (durable-functions 3.x) over
 * HTTP, on the real clock. Virtual-time behaviour (long timers, retry backoff) is in durable-virtual-time.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHost, type RunningHost } from '../../src/local-host/host';
import type { DurableEngine } from '../../src/local-host/durable/engine';

const appDir = path.resolve(__dirname, '../fixtures/apps/durable-basics');
let host: RunningHost;
let engine: DurableEngine;

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Sends `body` as JSON unless a content-type header says otherwise (then it must be a string). */
async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    const raw = headers['content-type'] !== undefined && headers['content-type'] !== 'application/json';
    init.body = raw ? String(body) : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(url.startsWith('http') ? url : `${host.url}${url}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

interface CheckStatus {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  purgeHistoryDeleteUri: string;
}

interface Status {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  history?: unknown;
  historyEvents?: Array<Record<string, unknown>>;
}

async function start(orchestrator: string, input?: unknown, instanceId?: string): Promise<string> {
  const reply = await call('POST', `/api/start/${orchestrator}${instanceId ? `/${instanceId}` : ''}`, input);
  expect(reply.status, JSON.stringify(reply.body)).toBe(202);
  return (reply.body as CheckStatus).id;
}

async function status(instanceId: string, query = ''): Promise<Status> {
  const reply = await call('GET', `/api/status/${instanceId}${query}`);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body as Status;
}

/** Polls the client's getStatus until `done` holds. */
async function waitFor(instanceId: string, done: (s: Status) => boolean, timeoutMs = 10_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await status(instanceId);
    if (done(current)) return current;
    if (Date.now() > deadline) throw new Error(`timed out; last status ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const finished = (s: Status): boolean => ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus);

beforeAll(async () => {
  host = await startHost({ appDir, port: 0, quiet: true });
  engine = host.durable as DurableEngine;
});

afterAll(async () => {
  await host?.stop();
});

describe('activities', () => {
  it('runs an activity chain and returns its output through waitForCompletionOrCreateCheckStatusResponse', async () => {
    const reply = await call('POST', '/api/run/Chain', 'Paris');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello Paris!']);
  });

  it('hands activities their input values and JSON-encodes their results', async () => {
    const reply = await call('POST', '/api/run/Inputs');
    expect(reply.body).toEqual([
      { input: 'text', type: 'string' },
      { input: 123, type: 'number' },
      { input: { a: 1 }, type: 'object' },
      { input: null, type: 'object' },
      null,
      // startNew without input posts "" (two quote characters), which the orchestrator then gets.
      '',
    ]);
  });

  it('passes the instance id to activities as data the worker parses without a thrown SyntaxError', async () => {
    const instanceId = 'plain-id-for-activity-metadata';
    const parse = JSON.parse.bind(JSON);
    let failedOnId = 0;
    const spy = vi.spyOn(JSON, 'parse').mockImplementation((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
      try {
        return parse(text, reviver) as unknown;
      } catch (err) {
        if (text === instanceId) failedOnId++;
        throw err;
      }
    });
    try {
      await start('Chain', 'Lima', instanceId);
      expect((await waitFor(instanceId, finished)).runtimeStatus).toBe('Completed');
    } finally {
      spy.mockRestore();
    }
    // The worker's fromRpcTypedData JSON-parses `string` trigger metadata first; three activities ran.
    expect(failedOnId).toBe(0);
  });

  it('lets the orchestrator catch a failed activity', async () => {
    const reply = await call('POST', '/api/run/CatchFailure');
    const body = reply.body as { caught: string; name: string };
    expect(body.name).toBe('Error');
    expect(body.caught).toMatch(/^Activity function 'Fail' failed: boom \n Error: boom/);
  });

  it('fails the instance with the extension output text when an activity failure is not caught', async () => {
    const reply = await call('POST', '/api/run/Uncaught');
    // waitForCompletionOrCreateCheckStatusResponse answers 500 with the status for a Failed instance.
    expect(reply.status).toBe(500);
    const failed = reply.body as Status;
    expect(failed.runtimeStatus).toBe('Failed');
    expect(failed.output).toMatch(/^Orchestrator function 'Uncaught' failed: Activity function 'Fail' failed: kaput \n Error: kaput/);
  });

  it('reports an orchestrator that throws as Failed with its message', async () => {
    const id = await start('ThrowsItself');
    const failed = await waitFor(id, finished);
    expect(failed.runtimeStatus).toBe('Failed');
    expect(failed.output).toBe("Orchestrator function 'ThrowsItself' failed: bad input");
  });

  it('turns exception-properties JSON into FailureDetails, so DF throws a TaskFailedError', async () => {
    const reply = await call('POST', '/api/run/FailureDetails');
    expect(reply.body).toEqual({
      name: 'TaskFailedError',
      message: 'Error: declined with E42',
      isTaskFailedError: true,
      properties: { code: 'E42' },
      errorType: 'Error',
    });
  });
});

describe('timers, Task.all and Task.any', () => {
  it('fires a short timer in real time', async () => {
    const startedAt = Date.now();
    const reply = await call('POST', '/api/run/Timer', { ms: 300 });
    const body = reply.body as { startedAt: string; resumedAt: string; fireAt: string };
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(new Date(body.resumedAt).getTime()).toBeGreaterThanOrEqual(new Date(body.fireAt).getTime());
  });

  it('fans out with Task.all and fans in', async () => {
    const reply = await call('POST', '/api/run/FanOut', 10);
    expect(reply.body).toBe(90);
  });

  it('lets an external event win a Task.any against a timer and cancels the timer', async () => {
    const id = await start('Approval', { timeoutMs: 60 * 60 * 1000 });
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    expect((await call('POST', `/api/raise/${id}/Approval`, { user: 'ana' })).status).toBe(202);
    const done = await waitFor(id, finished);
    expect(done.output).toEqual({ outcome: 'approved', by: { user: 'ana' } });
    const events = engine.getInstance(id)!.history.map((e) => e.EventType);
    expect(events).not.toContain(11 /* TimerFired */);
  });

  it('numbers retry timers and re-attempts inside a Task.all the way DF does', async () => {
    const reply = await call('POST', '/api/run/RetryFanOut');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ attempts: [3, 2], doubled: 42, after: 'Hello after!' });
  });
});

describe('external events and custom status', () => {
  it('buffers an event raised before the orchestrator waits for it', async () => {
    const id = await start('TwoEvents');
    // "Second" arrives first and must wait until the orchestrator asks for it.
    expect((await call('POST', `/api/raise/${id}/Second`, 'b')).status).toBe(202);
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    expect((await call('POST', `/api/raise/${id}/First`, 'a')).status).toBe(202);
    expect((await waitFor(id, finished)).output).toEqual(['a', 'b']);
  });

  it('shows the custom status through getStatus and keeps it after completion', async () => {
    const id = await start('CustomStatus');
    const waiting = await waitFor(id, (s) => s.customStatus !== null);
    expect(waiting.runtimeStatus).toBe('Running');
    expect(waiting.customStatus).toEqual({ stage: 'waiting', for: 'Go' });
    await call('POST', `/api/raise/${id}/Go`, 42);
    const done = await waitFor(id, finished);
    expect(done.customStatus).toEqual({ stage: 'done', go: 42 });
    expect(done.output).toBe('finished');
  });

  it('holds events while suspended and continues on resume', async () => {
    const id = await start('CustomStatus');
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    expect((await call('POST', `/api/control/suspend/${id}`)).status).toBe(202);
    expect((await status(id)).runtimeStatus).toBe('Suspended');
    await call('POST', `/api/raise/${id}/Go`, 1);
    // Nothing to poll for: the point is that nothing happens, so give a wrong engine time to act.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await status(id)).runtimeStatus).toBe('Suspended');
    expect((await call('POST', `/api/control/resume/${id}`)).status).toBe(202);
    expect((await waitFor(id, finished)).runtimeStatus).toBe('Completed');
  });

  it('rejects a raise-event body that is not JSON and an unknown instance', async () => {
    const id = await start('WaitForever');
    // The extension answers 400 here; the embedded host refuses any non-JSON write to its own endpoints first.
    const notJson = await call('POST', `/durabletask/instances/${id}/raiseEvent/Never`, 'hello', { 'content-type': 'text/plain' });
    expect(notJson.status).toBe(415);
    const unknown = await call('POST', '/api/raise/no-such-instance/Never', 1);
    expect(unknown.status).toBe(500);
    expect((unknown.body as { error: string }).error).toBe("No instance with ID 'no-such-instance' found.");
    await call('POST', `/api/control/terminate/${id}`);
  });
});

describe('sub-orchestrations and continueAsNew', () => {
  it('runs sub-orchestrations with generated and explicit ids, and with retry', async () => {
    const id = await start('Parent');
    const done = await waitFor(id, finished);
    expect(done.runtimeStatus).toBe('Completed');
    const output = done.output as { generated: { doubled: number; childId: string; parentId: string }; named: { childId: string }; failure: string };
    expect(output.generated.doubled).toBe(10);
    expect(output.generated.parentId).toBe(id);
    expect(output.generated.childId).toMatch(/^[0-9a-f]{32}$/);
    expect(output.named).toMatchObject({ doubled: 14, childId: `${id}-named-child`, parentId: id });
    expect(output.failure).toContain("Orchestrator function 'FailingChild' failed: child broke");
    // The child keeps its generated id across the parent's replays: exactly one such instance exists.
    expect(engine.listInstances().filter((r) => r.name === 'Child' && r.parent?.instanceId === id)).toHaveLength(2);
    // Two attempts of the failing child, each its own instance.
    const failedChildren = engine.listInstances().filter((r) => r.name === 'FailingChild' && r.parent?.instanceId === id);
    expect(failedChildren.map((r) => r.runtimeStatus)).toEqual(['Failed', 'Failed']);
  });

  it('restarts with the new input on continueAsNew and resets the history', async () => {
    const before = engine.counters.continuedAsNew;
    const id = await start('Counter', 0);
    const done = await waitFor(id, finished);
    expect(done.output).toEqual({ final: 5, isReplaying: false });
    expect(done.input).toBe(5);
    expect(engine.counters.continuedAsNew - before).toBe(5);
    const history = engine.getInstance(id)!.history;
    expect(history.filter((e) => e.EventType === 0 /* ExecutionStarted */)).toHaveLength(1);
  });

  it('passes a string continueAsNew input on as the string itself', async () => {
    const id = await start('Countdown', 'abcd');
    expect((await waitFor(id, finished)).output).toEqual({ last: 'd', echoed: 'd' });
  });
});

describe('instance management', () => {
  it('terminates a running instance with a reason', async () => {
    const id = await start('WaitForever');
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    expect((await call('POST', `/api/control/terminate/${id}?reason=${encodeURIComponent('no longer needed')}`)).status).toBe(202);
    const terminated = await status(id);
    expect(terminated.runtimeStatus).toBe('Terminated');
    expect(terminated.output).toBe('no longer needed');
    // 410 for a finished instance is success for DF's terminate and raiseEvent.
    expect((await call('POST', `/api/control/terminate/${id}`)).status).toBe(202);
    expect((await call('POST', `/durabletask/instances/${id}/terminate?reason=again`)).status).toBe(410);
    expect((await call('POST', `/api/raise/${id}/Never`, 1)).status).toBe(202);
  });

  it('refuses to start over a running instance (409) and replaces a terminal one', async () => {
    const id = `dup-${Date.now()}`;
    await start('WaitForever', undefined, id);
    const again = await call('POST', `/api/start/WaitForever/${id}`);
    expect(again.status).toBe(409);
    expect((again.body as { error: string }).error).toContain(`An orchestration instance with ID '${id}' already exists and is`);
    await call('POST', `/api/control/terminate/${id}`);
    expect((await status(id)).runtimeStatus).toBe('Terminated');
    await start('Chain', 'Rome', id);
    const replaced = await waitFor(id, finished);
    expect(replaced.name).toBe('Chain');
    expect(replaced.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello Rome!']);
  });

  it('purges by id and by filter, but not running instances', async () => {
    const createdFrom = new Date(Date.now() - 1000).toISOString();
    const done = await start('FanOut', 2);
    await waitFor(done, finished);
    const purged = await call('DELETE', `/api/purge/${done}`);
    expect(purged.body).toEqual({ instancesDeleted: 1 });
    expect((await call('GET', `/api/status/${done}`)).status).toBe(404);

    const running = await start('WaitForever');
    await waitFor(running, (s) => s.runtimeStatus === 'Running');
    const refused = await call('DELETE', `/api/purge/${running}`);
    expect(refused.status).toBe(500);
    expect((refused.body as { error: string }).error).toContain('412');

    const a = await start('FanOut', 1);
    const b = await start('FanOut', 1);
    await waitFor(a, finished);
    await waitFor(b, finished);
    const byFilter = await call('DELETE', `/api/purge?from=${encodeURIComponent(createdFrom)}&status=Completed`);
    expect((byFilter.body as { instancesDeleted: number }).instancesDeleted).toBeGreaterThanOrEqual(2);
    expect(engine.getInstance(a)).toBeUndefined();
    expect(engine.getInstance(running)?.runtimeStatus).toBe('Running');
    await call('POST', `/api/control/terminate/${running}`);
  });

  it('lists instances with getStatusBy filters and pages with continuation tokens', async () => {
    const from = new Date(Date.now() - 1).toISOString();
    const ids = await Promise.all([1, 2, 3, 4, 5].map((n) => start('FanOut', n)));
    await Promise.all(ids.map((id) => waitFor(id, finished)));
    const listed = await call('GET', `/api/statuses?from=${encodeURIComponent(from)}&status=Completed`);
    expect((listed.body as Status[]).map((s) => s.instanceId).sort()).toEqual([...ids].sort());
    const running = await call('GET', `/api/statuses?from=${encodeURIComponent(from)}&status=Running`);
    expect(running.body).toEqual([]);

    const pages: string[][] = [];
    let token: string | null = null;
    do {
      const reply: Reply = await call('GET', `/durabletask/instances/?createdTimeFrom=${encodeURIComponent(from)}&top=2`, undefined, token ? { 'x-ms-continuation-token': token } : {});
      pages.push((reply.body as Status[]).map((s) => s.instanceId));
      token = reply.headers.get('x-ms-continuation-token');
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().sort()).toEqual([...ids].sort());
  });

  it('serves status with history under both prefixes and the check-status URLs of this host', async () => {
    const reply = await call('POST', '/api/start/Chain', 'Oslo');
    const links = reply.body as CheckStatus;
    expect(reply.headers.get('location')).toBe(links.statusQueryGetUri);
    expect(links.statusQueryGetUri).toBe(`${host.url}/runtime/webhooks/durabletask/instances/${links.id}?taskHub=FixtureHub&connection=Storage`);
    expect(links.sendEventPostUri).toBe(`${host.url}/runtime/webhooks/durabletask/instances/${links.id}/raiseEvent/{eventName}?taskHub=FixtureHub&connection=Storage`);
    await waitFor(links.id, finished);

    const viaWebhook = await call('GET', `${links.statusQueryGetUri}&showHistory=true&showHistoryOutput=true`);
    expect(viaWebhook.status).toBe(200);
    const full = viaWebhook.body as Status;
    expect(full.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(full.historyEvents!.map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'TaskCompleted',
      'TaskCompleted',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    expect(full.historyEvents![1]).toMatchObject({ FunctionName: 'SayHello', Result: 'Hello Tokyo!' });
    expect(full.historyEvents![4]).toMatchObject({ OrchestrationStatus: 'Completed', Result: ['Hello Tokyo!', 'Hello Seattle!', 'Hello Oslo!'] });

    const viaRpc = await call('GET', `/durabletask/instances/${links.id}?showInput=false`);
    expect((viaRpc.body as Status).input).toBeNull();
    // DF reads `history`, not `historyEvents`, so the client never sees it (azure-functions-durable-js#620).
    expect((await status(links.id, '?showHistory=true')).history).toBeUndefined();
  });

  it('answers waitForCompletionOrCreateCheckStatusResponse with the check-status links on timeout', async () => {
    const reply = await call('POST', '/api/run/WaitForever?timeoutMs=100');
    expect(reply.status).toBe(202);
    const links = reply.body as CheckStatus;
    expect(links.terminatePostUri).toContain(`/instances/${links.id}/terminate?reason={text}`);
    await call('POST', `/api/control/terminate/${links.id}`);
  });

  it('restarts an instance under the same or a new id', async () => {
    const id = await start('Chain', 'Lima');
    await waitFor(id, finished);
    const sameId = await call('POST', `/durabletask/instances/${id}/restart?restartWithNewInstanceId=false`);
    expect(sameId.status).toBe(202);
    expect((sameId.body as CheckStatus).id).toBe(id);
    expect((await waitFor(id, finished)).output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello Lima!']);
    const newId = await call('POST', `/durabletask/instances/${id}/restart`);
    expect((newId.body as CheckStatus).id).not.toBe(id);
    expect((await waitFor((newId.body as CheckStatus).id, finished)).input).toBe('Lima');
  });

  it('answers 202 with Location while running and 404 for unknown instances', async () => {
    const id = await start('WaitForever');
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    const running = await call('GET', `/runtime/webhooks/durabletask/instances/${id}`);
    expect(running.status).toBe(202);
    expect(running.headers.get('retry-after')).toBe('5');
    expect((await call('GET', '/durabletask/instances/nope')).status).toBe(404);
    expect((await call('POST', `/durabletask/instances/${id}/rewind?reason=x`)).status).toBe(412);
    expect((await call('GET', '/durabletask/entities/Counter/one')).status).toBe(501);
    await call('POST', `/api/control/terminate/${id}`);
  });
});

describe('concurrency', () => {
  it('completes 50 instances started at once', async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => start('FanOut', (i % 5) + 1)));
    const results = await Promise.all(ids.map((id) => waitFor(id, finished, 30_000)));
    expect(results.every((s) => s.runtimeStatus === 'Completed')).toBe(true);
    expect(results.map((s) => s.output)).toEqual(ids.map((_, i) => { const n = (i % 5) + 1; return n * (n - 1); }));
  });

  it('never runs two episodes of one instance at the same time', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => start('OverlapProbe')));
    for (const id of ids) expect((await waitFor(id, finished)).output).toBe(24);
    const stats = (await call('GET', '/api/overlap')).body as { maxRunning: number; episodes: number };
    expect(stats.episodes).toBeGreaterThan(3 * 24);
    expect(stats.maxRunning).toBe(1);
  });
});
