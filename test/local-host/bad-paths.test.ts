import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { captureLogs, fixture } from './helpers';

let host: RunningHost;

beforeAll(async () => {
  host = await startHost({ appDir: fixture('servicebus-app'), port: 0, logSink: captureLogs().sink });
});
afterAll(async () => {
  await host?.stop();
});

describe('malformed percent-encoding in the host endpoints', () => {
  it.each([
    ['GET', '/admin/servicebus/%E0/deadletter'],
    ['POST', '/servicebus/%E0/messages'],
    ['GET', '/runtime/webhooks/durabletask/instances/%E0'],
  ])('%s %s is a 400 problem document with a correlation id, not a 500', async (method, path) => {
    const response = await fetch(`${host.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'bad-path-1' },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('x-correlation-id')).toBe('bad-path-1');
    expect(await response.json()).toMatchObject({ status: 400, detail: 'The request path is not valid URL encoding.' });
  });
});
