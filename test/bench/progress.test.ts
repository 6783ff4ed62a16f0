import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { attachToHost, describeHost } from '../../scripts/bench/host-process';
import { formatProgress, startProgress } from '../../scripts/bench/progress';

describe('bench progress lines', () => {
  it('say what was sent, completed and is in flight, and the current rate', () => {
    expect(formatProgress('orchestration', 12_400, { sent: 120, completed: 100, inFlight: 20 }, 9.84)).toBe(
      '  [orchestration   12 s] sent 120, completed 100, in flight 20, now 9.8 sagas/s',
    );
  });

  it('come every interval until stopped, with the rate since the previous line', async () => {
    const lines: string[] = [];
    let completed = 0;
    let ticks = 0;
    const progress = startProgress({
      label: 'test',
      intervalMs: 40,
      snapshot: () => ({ sent: completed + 2, completed, inFlight: 2 }),
      beforeTick: async () => {
        ticks += 1;
        completed += 4;
      },
      write: (line) => lines.push(line),
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    await progress.stop();
    const count = lines.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(ticks).toBe(count);
    expect(lines[1]).toMatch(/sent 10, completed 8, in flight 2, now \d+\.\d sagas\/s$/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines.length).toBe(count);
  });

  it('print nothing with an interval of 0', async () => {
    const lines: string[] = [];
    const progress = startProgress({ label: 'off', intervalMs: 0, snapshot: () => ({ sent: 0, completed: 0, inFlight: 0 }), write: (line) => lines.push(line) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await progress.stop();
    expect(lines).toEqual([]);
  });
});

describe('the bench against --url', () => {
  it('says when the host is not the embedded host, and which numbers it cannot report', async () => {
    // Something that serves the API but not the embedded host's stats, as func start does.
    const server = http.createServer((req, res) => {
      res.writeHead(req.url === '/api/health' ? 200 : 404, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const host = await attachToHost(url);
      expect(host).toMatchObject({ kind: 'attached', hasStats: false });
      const line = describeHost(host);
      expect(line).toContain('not the embedded host');
      expect(line).toMatch(/Reported: throughput, saga latency and outcomes/);
      expect(line).toMatch(/Not reported: Cosmos DB requests/);
      expect((await host.stats()).cosmos.mode).toBe('unknown');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('names an embedded host that was already running as such', () => {
    expect(describeHost({ url: 'http://127.0.0.1:7071', kind: 'attached', hasStats: true, startupMs: 0 })).toMatch(/an embedded host/);
    expect(describeHost({ url: 'http://127.0.0.1:7071', kind: 'started', hasStats: true, startupMs: 612 })).toBe('Embedded host started at http://127.0.0.1:7071 (ready in 612 ms)');
  });
});
