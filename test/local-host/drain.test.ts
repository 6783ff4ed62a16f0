import { describe, expect, it } from 'vitest';
import { startHost } from '../../src/local-host/host';
import { captureLogs, fixture, waitFor } from './helpers';

interface DrainState {
  started: number;
  release?: () => void;
}

describe('stopping the host', () => {
  it('refuses new requests but lets work in flight finish, including its calls to the host itself', async () => {
    const logs = captureLogs();
    const host = await startHost({ appDir: fixture('drain-app'), port: 0, logSink: logs.sink });
    const state = (globalThis as unknown as { __drain: DrainState }).__drain;

    const inFlight = fetch(`${host.url}/api/slow`, { method: 'POST' });
    await waitFor(() => state.started === 1, 'the slow request to start');

    const stopped = host.stop();
    await waitFor(async () => (await fetch(`${host.url}/api/slow`, { method: 'POST' })).status === 503, 'new requests to be refused');
    expect(state.started).toBe(1);

    state.release?.();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ publishStatus: 201 });
    await stopped;
    await expect(fetch(`${host.url}/api/slow`, { method: 'POST' })).rejects.toThrow();
  });
});
