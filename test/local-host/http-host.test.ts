import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { captureLogs, fixture, globalList, json } from './helpers';

const appDir = fixture('http-basic');
// local.settings.json is git-ignored everywhere, so the test writes the fixture's copy itself.
const settingsFile = path.join(appDir, 'local.settings.json');
const events = globalList<Record<string, unknown>>('__fixtureEvents');
const logs = captureLogs();
let host: RunningHost;
const previousHostname = process.env.WEBSITE_HOSTNAME;

beforeAll(async () => {
  fs.writeFileSync(settingsFile, JSON.stringify({ IsEncrypted: false, Values: { FIXTURE_SETTING: 'from-local-settings', FIXTURE_PRESET: 'from-file' } }));
  process.env.FIXTURE_PRESET = 'preset-in-environment';
  host = await startHost({ appDir, port: 0, logSink: logs.sink });
});

afterAll(async () => {
  await host?.stop();
  fs.rmSync(settingsFile, { force: true });
  delete process.env.FIXTURE_PRESET;
});

function get(route: string, init?: RequestInit): Promise<Response> {
  return fetch(`${host.url}${route}`, init);
}

async function expectProblem(response: Response, status: number): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = await json(response);
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  return body;
}

describe('registration and banner', () => {
  it('captures every function with its trigger binding', () => {
    const names = host.functions.map((f) => f.name).sort();
    expect(names).toEqual(
      ['boom', 'clientProbe', 'defaultRoute', 'echo', 'files', 'getItem', 'hooked', 'noContent', 'optional', 'setting', 'specialItem', 'updateItem'].sort(),
    );
    const getItem = host.functions.find((f) => f.name === 'getItem');
    expect(getItem?.trigger).toMatchObject({ type: 'httpTrigger', direction: 'in', route: 'items/{id:int}', methods: ['GET'] });
    expect(getItem?.bindings.$return).toMatchObject({ type: 'http', direction: 'out' });
  });

  it('lists HTTP routes with methods and full URLs, and the embedded services', () => {
    expect(host.banner).toContain(`getItem: [GET] ${host.url}/api/items/{id:int}`);
    expect(host.banner).toContain(`updateItem: [PUT,DELETE] ${host.url}/api/items/{id:int}`);
    expect(host.banner).toContain(`defaultRoute: [GET,POST] ${host.url}/api/defaultRoute`);
    expect(host.banner).toMatch(/Cosmos DB: +embedded at http:\/\/127\.0\.0\.1:\d+/);
    expect(host.banner).toMatch(/Service Bus: +embedded broker/);
    expect(host.banner).toContain('embedded task hub TestHubName');
    expect(host.banner).toContain('State:       in memory: gone when the host stops');
    expect(host.banner).toMatch(/Host started in \d+ ms/);
    expect(host.startupMs).toBeLessThan(5_000);
  });
});

describe('HTTP triggers', () => {
  it('passes route params, query and headers to the handler', async () => {
    const response = await get('/api/items/42?q=hello%20world', { headers: { 'x-test': 'header-value' } });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      id: '42',
      q: 'hello world',
      header: 'header-value',
      url: `${host.url}/api/items/42?q=hello%20world`,
      functionName: 'getItem',
    });
  });

  it('prefers a literal segment and enforces type constraints', async () => {
    expect(await json(await get('/api/items/special'))).toEqual({ special: true });
    await expectProblem(await get('/api/items/not-a-number'), 404);
  });

  it('routes by method across functions sharing a route, and answers 405 with Allow otherwise', async () => {
    expect(await json(await get('/api/items/7', { method: 'PUT' }))).toEqual({ method: 'PUT', id: '7' });
    expect(await json(await get('/api/items/7', { method: 'DELETE' }))).toEqual({ method: 'DELETE', id: '7' });
    const response = await get('/api/items/7', { method: 'POST', body: '{}' });
    await expectProblem(response, 405);
    expect(response.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'PUT']);
  });

  it('supports catch-all and optional parameters', async () => {
    expect(await json(await get('/api/files/a/b/c%20d.txt'))).toEqual({ path: 'a/b/c d.txt' });
    expect(await json(await get('/api/files'))).toEqual({ path: null });
    expect(await json(await get('/api/opt'))).toEqual({ name: null });
    expect(await json(await get('/api/opt/bob'))).toEqual({ name: 'bob' });
  });

  it('defaults the route to the function name, case-insensitively, with the library default methods', async () => {
    expect(await (await get('/api/defaultRoute')).text()).toBe('default GET');
    expect(await (await get('/api/DEFAULTROUTE/', { method: 'POST' })).text()).toBe('default POST');
    await expectProblem(await get('/api/defaultRoute', { method: 'DELETE' }), 405);
  });

  it('sends the body bytes in and the status, headers, cookies and body out', async () => {
    events.length = 0;
    const payload = JSON.stringify({ hello: 'wörld' });
    const response = await get('/api/echo', { method: 'POST', body: payload, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.get('set-cookie')).toMatch(/^session=abc; Path=\/; HttpOnly/);
    expect(await json(response)).toEqual({ method: 'POST', contentType: 'application/json', body: payload, length: payload.length });
    expect(logs.text()).toContain(`[echo] echo received ${payload.length} characters`);
    expect(events).toEqual([{ hook: 'log', level: 'information', functionName: 'echo' }]);
  });

  it('accepts a request body of a few megabytes', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const response = await get('/api/echo', { method: 'POST', body: big, headers: { 'content-type': 'text/plain' } });
    expect(response.status).toBe(201);
    expect((await json(response)).length).toBe(big.length);
  });

  it('answers 204 when the handler returns nothing', async () => {
    const response = await get('/api/nothing');
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('turns a handler exception into a 500 problem document without internals, and logs it', async () => {
    const response = await get('/api/boom');
    const problem = await expectProblem(response, 500);
    expect(JSON.stringify(problem)).not.toMatch(/kaboom|at .*\.js/);
    expect(logs.text()).toMatch(/\[boom\].*kaboom: internal detail/);
  });

  it('answers unknown paths with a 404 problem document', async () => {
    await expectProblem(await get('/api/does-not-exist'), 404);
    await expectProblem(await get('/elsewhere'), 404);
  });

  it('echoes x-correlation-id on answers the host gives itself, or makes one up', async () => {
    const echoed = await get('/api/does-not-exist', { headers: { 'x-correlation-id': 'corr-404' } });
    expect(echoed.headers.get('x-correlation-id')).toBe('corr-404');
    const made = await get('/api/items/7', { method: 'PATCH' });
    expect(made.status).toBe(405);
    expect(made.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('hooks, settings and input bindings', () => {
  it('runs preInvocation (replacing the callback) and postInvocation (replacing the result) hooks', async () => {
    events.length = 0;
    const response = await get('/api/hooked');
    expect(response.headers.get('x-post-hook')).toBe('yes');
    expect(await json(response)).toEqual({ handler: true, wrappedByPreHook: true, appStarted: 'app-start-ran' });
    expect(events).toEqual([{ hook: 'postInvocation', pre: true, hadError: false }]);
  });

  it('applies local.settings.json Values without overwriting the environment', async () => {
    expect(await json(await get('/api/setting'))).toEqual({ value: 'from-local-settings', preset: 'preset-in-environment' });
  });

  it('sets WEBSITE_HOSTNAME to the host address', () => {
    expect(process.env.WEBSITE_HOSTNAME).toBe(`127.0.0.1:${host.port}`);
  });

  it('supplies the durable client binding through the registered input provider', async () => {
    const binding = await json(await get('/api/client-probe'));
    expect(binding).toMatchObject({ taskHubName: 'TestHubName' });
    expect(JSON.stringify(binding)).toContain(`${host.url}/runtime/webhooks/durabletask`);
  });
});

describe('stop', () => {
  it('drains, runs appTerminate hooks, closes the port and restores the environment', async () => {
    events.length = 0;
    await host.stop();
    expect(events).toEqual([{ hook: 'appTerminate', startedBy: 'appStart' }]);
    await expect(get('/api/items/1')).rejects.toThrow();
    expect(process.env.FIXTURE_SETTING).toBeUndefined();
    expect(process.env.FIXTURE_PRESET).toBe('preset-in-environment');
    expect(process.env.WEBSITE_HOSTNAME).toBe(previousHostname);
    expect(process.env.COSMOS_ENDPOINT).toBeUndefined();
    expect(process.env.EMBEDDED_SERVICEBUS_URL).toBeUndefined();
  });
});
