import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { captureLogs, fixture, json, waitFor } from './helpers';

/** A raw request, so the test can set Host and Origin as a browser or a rebinding page would. */
function rawRequest(
  port: number,
  options: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method, path: options.path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the broker and admin endpoints refuse what a web page can send', () => {
  let host: RunningHost;
  beforeAll(async () => {
    host = await startHost({ appDir: fixture('servicebus-app'), port: 0, logSink: captureLogs().sink });
  });
  afterAll(async () => {
    await host?.stop();
  });

  const sent = (): number => host.broker.totals().sent;

  it.each([
    ['text/plain', 'a cross-site form or no-cors fetch'],
    ['application/x-www-form-urlencoded', 'an HTML form'],
    ['multipart/form-data; boundary=x', 'a multipart form'],
  ])('answers 415 to a %s POST to /servicebus (%s) and enqueues nothing', async (contentType) => {
    const before = sent();
    const response = await fetch(`${host.url}/servicebus/outbox/messages`, { method: 'POST', headers: { 'content-type': contentType }, body: '{"x":1}' });
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(sent()).toBe(before);
  });

  it('answers 403 to a JSON POST that carries a foreign Origin', async () => {
    const before = sent();
    for (const origin of ['https://evil.example', 'null', 'http://localhost:1']) {
      const response = await fetch(`${host.url}/servicebus/outbox/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: '{"x":1}',
      });
      expect(response.status).toBe(403);
      expect(await json(response)).toMatchObject({ status: 403, title: 'Forbidden' });
    }
    expect(sent()).toBe(before);
  });

  it('refuses a body-less POST from a foreign origin (resubmitting a dead letter)', async () => {
    const response = await fetch(`${host.url}/admin/servicebus/outbox/deadletter/1/resubmit`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(response.status).toBe(403);
  });

  it('still takes JSON from its own origin, from clients that send no Origin, and lets any page read nothing new', async () => {
    const own = await fetch(`${host.url}/servicebus/outbox/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: host.url },
      body: '{"x":1}',
    });
    expect(own.status).toBe(201);
    const plain = await fetch(`${host.url}/servicebus/outbox/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":2}' });
    expect(plain.status).toBe(201);
    // GET is not state-changing, and the app's own routes are the app's business.
    expect((await fetch(`${host.url}/admin/servicebus`, { headers: { origin: 'https://evil.example' } })).status).toBe(200);
  });

  it.each(['evil.example', 'evil.example:7071', '127.0.0.1.nip.io', 'localhost.evil.example'])(
    'answers 421 to any request whose Host is %s (DNS rebinding), app routes included',
    async (hostHeader) => {
      for (const path of ['/admin/servicebus', '/api/publish/outbox', '/servicebus/outbox/messages']) {
        const response = await rawRequest(host.port, { method: path === '/admin/servicebus' ? 'GET' : 'POST', path, headers: { host: hostHeader, 'content-type': 'application/json' }, body: '{}' });
        expect(response.status).toBe(421);
        expect(response.headers['content-type']).toBe('application/problem+json');
      }
    },
  );

  it.each(['localhost', `localhost:${0}`, 'app.localhost', '127.0.0.1', '127.0.0.2', '[::1]'])('serves Host %s', async (hostHeader) => {
    const response = await rawRequest(host.port, { method: 'GET', path: '/admin/servicebus', headers: { host: hostHeader.replace(':0', `:${host.port}`) } });
    expect(response.status).toBe(200);
  });

  it('does not echo an unbounded or unprintable correlation id in its own problem documents', async () => {
    const long = 'x'.repeat(8000);
    const response = await fetch(`${host.url}/no/such/route`, { headers: { 'x-correlation-id': long } });
    expect(response.status).toBe(404);
    const echoed = response.headers.get('x-correlation-id') ?? '';
    expect(echoed).not.toBe(long);
    expect(echoed.length).toBeLessThanOrEqual(256);
    const kept = await fetch(`${host.url}/no/such/route`, { headers: { 'x-correlation-id': 'req-42' } });
    expect(kept.headers.get('x-correlation-id')).toBe('req-42');
  });
});

describe('the Durable HTTP API refuses a cross-site restart of a finished orchestration', () => {
  let host: RunningHost;
  beforeAll(async () => {
    host = await startHost({ appDir: fixture('durable-basics'), port: 0, logSink: captureLogs().sink });
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function completed(instanceId: string): Promise<Record<string, unknown>> {
    return waitFor(async () => {
      const status = await json(await fetch(`${host.url}/runtime/webhooks/durabletask/instances/${instanceId}`));
      return status.runtimeStatus === 'Completed' ? status : undefined;
    }, `${instanceId} to complete`);
  }

  it('keeps the finished instance as it was', async () => {
    const start = await fetch(`${host.url}/runtime/webhooks/durabletask/orchestrators/Chain/finished-1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify('Paris'),
    });
    expect(start.status).toBe(202);
    const before = await completed('finished-1');

    const textPlain = await fetch(`${host.url}/runtime/webhooks/durabletask/orchestrators/Chain/finished-1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify('Attacker'),
    });
    expect(textPlain.status).toBe(415);
    const foreign = await fetch(`${host.url}/durabletask/orchestrators/Chain/finished-1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify('Attacker'),
    });
    expect(foreign.status).toBe(403);
    const terminate = await fetch(`${host.url}/runtime/webhooks/durabletask/instances/finished-1/terminate`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(terminate.status).toBe(403);
    const purge = await fetch(`${host.url}/runtime/webhooks/durabletask/instances/finished-1`, { method: 'DELETE', headers: { origin: 'https://evil.example' } });
    expect(purge.status).toBe(403);

    const after = await completed('finished-1');
    expect(after.input).toBe('Paris');
    expect(after.output).toEqual(before.output);
    expect(after.createdTime).toBe(before.createdTime);
  });

  it('refuses an input nested too deep to be shown again, and starts nothing', async () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const start = await fetch(`${host.url}/runtime/webhooks/durabletask/orchestrators/Chain/too-deep`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep });
    expect(start.status).toBe(400);
    expect(await json(start)).toMatchObject({ detail: expect.stringMatching(/nests deeper than 64 levels/) });
    expect((await fetch(`${host.url}/runtime/webhooks/durabletask/instances/too-deep`)).status).toBe(404);
  });
});

describe('malformed requests that Node itself rejects', () => {
  let host: RunningHost;
  beforeAll(async () => {
    host = await startHost({ appDir: fixture('servicebus-app'), port: 0, logSink: captureLogs().sink });
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function rawBytes(text: string): Promise<string> {
    const net = await import('node:net');
    return new Promise((resolve, reject) => {
      const socket = net.connect(host.port, '127.0.0.1', () => socket.write(text));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
    });
  }

  it.each([
    ['a bad Content-Length', 'POST /servicebus/outbox/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n', 400],
    ['headers over 16 KiB', `GET /admin/servicebus HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ])('answers %s with a problem document', async (_what, request, status) => {
    const answer = await rawBytes(request);
    const [head, body] = answer.split('\r\n\r\n') as [string, string];
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    expect(JSON.parse(body)).toMatchObject({ status });
  });
});
