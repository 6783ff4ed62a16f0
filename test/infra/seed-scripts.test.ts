import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CreateOrderRequestSchema } from '../../src/domain';
import { UsageError } from '../../scripts/lib/cli';
import { planDemoOrders } from '../../scripts/lib/demo-orders';
import { loadScriptSettings } from '../../scripts/lib/settings';
import { consoleOutput, seedMessages } from '../../scripts/seed-messages';

describe('planDemoOrders', () => {
  it('builds valid order requests only', () => {
    const requests = planDemoOrders({ count: 24, style: 'mixed', failures: 'mixed', customer: 'c1' });
    expect(requests).toHaveLength(24);
    for (const request of requests) expect(CreateOrderRequestSchema.safeParse(request).success).toBe(true);
  });

  it('alternates styles and spreads every simulated failure for "mixed"', () => {
    const requests = planDemoOrders({ count: 8, style: 'mixed', failures: 'mixed', customer: 'c1' });
    expect(requests.map((r) => r.sagaStyle)).toEqual(Array(4).fill(['orchestration', 'choreography']).flat());
    expect(requests.map((r) => r.simulateFailure ?? 'none').sort()).toEqual(
      ['fulfillment', 'inventory', 'none', 'none', 'none', 'none', 'payment', 'refund'],
    );
  });

  it('uses one style and one failure when told to', () => {
    const requests = planDemoOrders({ count: 3, style: 'choreography', failures: 'payment', customer: 'c2' });
    expect(requests.every((r) => r.sagaStyle === 'choreography' && r.simulateFailure === 'payment' && r.customerId === 'c2')).toBe(true);
    const none = planDemoOrders({ count: 3, style: 'orchestration', failures: 'none', customer: 'c2' });
    expect(none.some((r) => 'simulateFailure' in r)).toBe(false);
  });
});

describe('loadScriptSettings', () => {
  it('names the missing setting and where to put it', () => {
    expect(() => loadScriptSettings({}, '/nonexistent')).toThrow(/COSMOS_ENDPOINT[\s\S]*local\.settings\.json/);
  });
});

describe('seed-messages --api', () => {
  let server: Server;
  let url: string;
  let requests: { headers: IncomingHttpHeaders; body: unknown }[] = [];
  let status = 202;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => {
        requests.push({ headers: request.headers, body: JSON.parse(text) });
        const body = status === 202 ? { id: `ord-${requests.length}`, status: 'Pending' } : { title: 'Bad Request', status, detail: 'nope' };
        response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    requests = [];
    status = 202;
  });

  it('posts each order to /api/orders with its own Idempotency-Key and reports progress', async () => {
    const lines: string[] = [];
    const failed = await seedMessages(['--api', url, '--count', '3', '--style', 'orchestration', '--customer', 'cust-7'], {
      log: (line) => lines.push(line),
    });
    expect(failed).toBe(0);
    expect(requests).toHaveLength(3);
    expect(requests.map((r) => (r.body as { customerId: string }).customerId)).toEqual(['cust-7', 'cust-7', 'cust-7']);
    expect(new Set(requests.map((r) => r.headers['idempotency-key'])).size).toBe(3);
    expect(lines.filter((line) => /ord-\d+\s+orchestration\s+accepted/.test(line))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^Done: 3 placed .*0 failed\.$/);
  });

  it('shows a progress bar instead of a line per order on a terminal, for large counts', async () => {
    const lines: string[] = [];
    const bars: string[] = [];
    const failed = await seedMessages(['--api', url, '--count', '25'], { log: (line) => lines.push(line), update: (text) => bars.push(text) });
    expect(failed).toBe(0);
    expect(bars).toHaveLength(26);
    expect(bars[0]).toBe(`[${'-'.repeat(30)}]  0/25   0%  placed 0, failed 0`);
    expect(bars.at(-1)).toBe(`[${'#'.repeat(30)}] 25/25 100%  placed 25, failed 0`);
    expect(lines.some((line) => /ord-\d+/.test(line))).toBe(false);
    expect(lines.at(-2)).toBe(bars.at(-1));
    expect(lines.at(-1)).toMatch(/^Done: 25 placed/);
  });

  it('keeps a plain line per order for small counts and whenever the output is not a terminal', async () => {
    const bars: string[] = [];
    const lines: string[] = [];
    await seedMessages(['--api', url, '--count', '3'], { log: (line) => lines.push(line), update: (text) => bars.push(text) });
    expect(bars).toEqual([]);
    expect(lines.filter((line) => /ord-\d+/.test(line))).toHaveLength(3);
    const written: string[] = [];
    const pipe = { isTTY: false, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    expect(consoleOutput(pipe).update).toBeUndefined();
    const terminal = { isTTY: true, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    consoleOutput(terminal).update?.('[##--] 1/2');
    expect(written.at(-1)).toBe('\r\x1b[2K[##--] 1/2');
  });

  it('stops at the first client error, which every later order would repeat', async () => {
    status = 400;
    const lines: string[] = [];
    const failed = await seedMessages(['--api', `${url}/api`, '--count', '5'], { log: (line) => lines.push(line) });
    expect(failed).toBe(5);
    expect(requests).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/HTTP 400: nope[\s\S]*remaining 4/);
  });

  it.each([
    [['--count', 'many']],
    [['--style', 'saga']],
    [['--failures', 'all']],
    [['--api', 'localhost:7071']],
    [['--unknown']],
  ])('rejects %j as a usage error', async (argv) => {
    await expect(seedMessages(argv, { log: () => {} })).rejects.toBeInstanceOf(UsageError);
  });
});
