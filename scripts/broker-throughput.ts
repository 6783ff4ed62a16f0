/**
 * Sends, receives and completes messages straight through the embedded broker (no HTTP, no functions), to
 * measure what the broker itself costs per message: `node dist/scripts/broker-throughput.js [--messages N]
 * [--batch N] [--data-dir DIR|tmp] [--backlog] [--no-dedupe]` (in memory without --data-dir; the queue
 * has 5-minute duplicate detection, as the app's queues do, unless --no-dedupe). With --backlog every message
 * is sent before the first is received, and the heap is measured with the whole backlog waiting.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { realClock } from '../src/local-host/clock';
import { createLogger } from '../src/local-host/logger';
import { ServiceBusBroker, type BrokerOptions } from '../src/local-host/servicebus/broker';
import { parseBrokerConfig } from '../src/local-host/servicebus/config';
import { inMemory, onDisk } from '../src/local-host/storage/state-location';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const total = Number(flag('messages', '20000'));
  const batch = Number(flag('batch', '1'));
  const dirFlag = flag('data-dir', '');
  const dedupe = !process.argv.includes('--no-dedupe');
  const dir = dirFlag === 'tmp' ? fs.mkdtempSync(path.join(os.tmpdir(), 'broker-throughput-')) : dirFlag;
  const config = parseBrokerConfig(
    JSON.stringify({
      UserConfig: {
        Namespaces: [{ Name: 'ns', Queues: [{ Name: 'q', Properties: { RequiresDuplicateDetection: dedupe, DuplicateDetectionHistoryTimeWindow: 'PT5M' } }] }],
      },
    }),
  );
  const options: BrokerOptions = { config, clock: realClock, logger: createLogger({ level: 'silent' }), state: dir ? onDisk(dir) : inMemory } as BrokerOptions;
  const broker = new ServiceBusBroker(options);
  const store = broker.queueStore('q', 'throughput');
  const body = Buffer.from(JSON.stringify({ type: 'OrderPlaced', orderId: 'o-1', items: [{ productId: 'p-1', quantity: 2 }] }));
  const started = performance.now();
  let done = 0;
  let backlogHeap = '';
  if (process.argv.includes('--backlog')) {
    for (let sent = 0; sent < total; sent += batch) {
      const count = Math.min(batch, total - sent);
      broker.send('q', Array.from({ length: count }, (_, i) => ({ body, messageId: `m-${sent + i}` })));
    }
    global.gc?.();
    backlogHeap = `, heap with the backlog waiting ${(process.memoryUsage().heapUsed / 1e6).toFixed(1)} MB`;
    for (let message = store.receive(); message; message = store.receive()) {
      store.complete(message.lockToken as string);
      done++;
    }
  }
  while (done < total) {
    const count = Math.min(batch, total - done);
    broker.send('q', Array.from({ length: count }, (_, i) => ({ body, messageId: `m-${done + i}` })));
    for (let i = 0; i < count; i++) {
      const message = store.receive();
      if (!message) throw new Error('a sent message was not received');
      store.complete(message.lockToken as string);
    }
    done += count;
  }
  const seconds = (performance.now() - started) / 1000;
  await broker.close();
  const where = `${dir ? `on disk (${dir})` : 'in memory'}${dedupe ? '' : ', no duplicate detection'}`;
  console.log(`${total} messages ${where}, batches of ${batch}: ${(total / seconds).toFixed(0)} send+receive+complete per second (${seconds.toFixed(2)} s)${backlogHeap}`);
  if (dirFlag === 'tmp') fs.rmSync(dir, { recursive: true, force: true });
}

void main();
