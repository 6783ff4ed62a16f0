/**
 * The embedded broker keeps what it accepted across an abrupt end: a broker abandoned without close, and a
 * process killed with SIGKILL, leave active, scheduled and dead-lettered messages, delivery counts,
 * sequence numbers and the duplicate-detection history for the next broker on the same data folder.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/local-host/clock';
import type { FunctionInvoker, RegisteredFunction } from '../../src/local-host/contracts';
import { createLogger } from '../../src/local-host/logger';
import { ServiceBusBroker } from '../../src/local-host/servicebus/broker';
import { parseBrokerConfig, type BrokerConfig } from '../../src/local-host/servicebus/config';
import { EmbeddedServiceBusConsumer } from '../../src/local-host/servicebus/embedded-consumer';
import { openDatabase } from '../../src/local-host/storage/sqlite';
import { inMemory, onDisk, type StateLocation } from '../../src/local-host/storage/state-location';
import { waitFor } from './helpers';

const quiet = createLogger({ level: 'silent' });
const start = new Date('2026-01-01T00:00:00Z');

const configJson = JSON.stringify({
  UserConfig: {
    Namespaces: [
      {
        Name: 'ns',
        Queues: [{ Name: 'q', Properties: { MaxDeliveryCount: 3, RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: 'PT5M' } }],
        Topics: [{ Name: 't', Subscriptions: [{ Name: 'a' }, { Name: 'b' }] }],
      },
    ],
  },
});
const config: BrokerConfig = parseBrokerConfig(configJson);

const dirs: string[] = [];
function dataDir(): StateLocation {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-persist-'));
  dirs.push(dir);
  return onDisk(dir);
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const text = (value: string) => ({ body: Buffer.from(value) });

function openBroker(state: StateLocation, clock = createVirtualClock({ start })): ServiceBusBroker {
  return new ServiceBusBroker({ config, clock, logger: quiet, state });
}

describe('broker state on disk', () => {
  it('finds active, locked, scheduled and dead-lettered messages after a broker that was never closed', async () => {
    const state = dataDir();
    const crashed = openBroker(state);
    const queue = crashed.queueStore('q', 'test');
    const sent = crashed.send('q', [
      { ...text('one'), messageId: 'm1' },
      { ...text('two'), messageId: 'm2' },
      { ...text('poison'), messageId: 'm3' },
    ]);
    crashed.send('q', [{ ...text('later'), messageId: 'm4', scheduledEnqueueTimeUtc: new Date(start.getTime() + 60_000) }]);
    crashed.send('t', [{ ...text('fan-out'), messageId: 't1' }]);
    // m1: abandoned once, then delivered again and still locked when the broker dies.
    queue.abandon(queue.receive()?.lockToken as string, 'first try failed');
    const locked = queue.receive();
    expect(locked).toMatchObject({ messageId: 'm1', deliveryCount: 2 });
    // m2 stays locked too; m3 goes to the dead-letter queue.
    expect(queue.receive()?.messageId).toBe('m2');
    queue.deadLetter(queue.receive()?.lockToken as string, 'Poison', 'cannot be parsed');
    const highest = Math.max(...sent.map((r) => r.sequenceNumber ?? 0));

    const clock = createVirtualClock({ start });
    clock.pause();
    const reopened = openBroker(state, clock);
    const store = reopened.queueStore('q', 'test');
    expect(store.activeCount).toBe(2);
    expect(store.lockedCount).toBe(0);
    const again = store.receive();
    // The lock died with the broker; the delivery it made still counts.
    expect(again).toMatchObject({ messageId: 'm1', deliveryCount: 3, body: Buffer.from('one') });
    expect(store.receive()).toMatchObject({ messageId: 'm2', deliveryCount: 2 });
    expect(store.deadLetters()).toEqual([
      expect.objectContaining({ messageId: 'm3', deadLetterReason: 'Poison', deadLetterErrorDescription: 'cannot be parsed', deadLetterSource: 'q', deliveryCount: 1 }),
    ]);
    expect(reopened.store('t/subscriptions/a')?.activeMessages().map((m) => m.messageId)).toEqual(['t1']);
    expect(reopened.store('t/subscriptions/b')?.activeCount).toBe(1);

    // Duplicate detection remembers what the first broker accepted; sequence numbers keep growing.
    const [duplicate] = reopened.send('q', [{ ...text('one again'), messageId: 'm1' }]);
    expect(duplicate?.duplicate).toBe(true);
    const [fresh] = reopened.send('q', [{ ...text('new'), messageId: 'm5' }]);
    expect(fresh?.sequenceNumber).toBeGreaterThan(highest);

    // The scheduled message fires at its time.
    expect(reopened.scheduledCount()).toBe(1);
    clock.advanceBy(60_000);
    await waitFor(() => store.activeCount === 2, 'the scheduled message');
    // Its sequence number is given when it is enqueued, so it comes after m5.
    expect(store.activeMessages().map((m) => m.messageId)).toEqual(['m5', 'm4']);
    expect(reopened.scheduledCount()).toBe(0);
    await reopened.close();
    await crashed.close();
  });

  it('enqueues a scheduled message whose time passed while the broker was down as soon as it starts', async () => {
    const state = dataDir();
    const first = openBroker(state);
    first.send('q', [{ ...text('due'), messageId: 's1', scheduledEnqueueTimeUtc: new Date(start.getTime() + 1_000) }]);
    await first.close();
    const reopened = openBroker(state, createVirtualClock({ start: new Date(start.getTime() + 3_600_000) }));
    const store = reopened.queueStore('q', 'test');
    await waitFor(() => store.activeCount === 1, 'the overdue scheduled message');
    expect(store.receive()?.messageId).toBe('s1');
    await reopened.close();
  });

  it('keeps a resubmitted dead letter and forgets message ids once the window has passed', async () => {
    const state = dataDir();
    const clock = createVirtualClock({ start });
    const first = openBroker(state, clock);
    first.send('q', [{ ...text('x'), messageId: 'old' }]);
    const store = first.queueStore('q', 'test');
    store.deadLetter(store.receive()?.lockToken as string, 'Manual');
    const dead = store.deadLetters()[0];
    first.resubmit('q', dead?.sequenceNumber as number);
    await first.close();

    const later = createVirtualClock({ start: new Date(start.getTime() + 6 * 60_000) });
    const reopened = openBroker(state, later);
    const again = reopened.queueStore('q', 'test');
    expect(again.deadLetterCount).toBe(0);
    expect(again.activeMessages()).toEqual([expect.objectContaining({ messageId: 'old', deliveryCount: 0 })]);
    // Five minutes on, the id is no longer a duplicate.
    expect(reopened.send('q', [{ ...text('x'), messageId: 'old' }])[0]?.duplicate).toBe(false);
    await reopened.close();
  });

  it('hands persisted messages to a consumer that starts after a restart', async () => {
    const state = dataDir();
    const first = openBroker(state);
    first.send('q', Array.from({ length: 600 }, (_, i) => ({ ...text(String(i)), messageId: `b${i}` })));
    await first.close();

    const reopened = openBroker(state);
    const store = reopened.queueStore('q', 'test');
    const seen: string[] = [];
    const invoker: FunctionInvoker = {
      invoke: async (_fn, request) => {
        seen.push(String(request.triggerMetadata?.messageId?.string));
        return { outputData: [] };
      },
    };
    const fn = { name: 'f', trigger: { type: 'serviceBusTrigger', direction: 'in' }, triggerName: 'm', bindings: {} } as RegisteredFunction;
    const consumer = new EmbeddedServiceBusConsumer({ fn, store, invoker, logger: quiet, maxConcurrentCalls: 4, maxMessageBatchSize: 1 });
    await consumer.start();
    await waitFor(() => seen.length === 600 && store.activeCount + store.lockedCount === 0, 'every persisted message');
    await consumer.drain();
    expect(new Set(seen).size).toBe(600);
    await reopened.close();
    // Completed messages are gone from the database too.
    const third = openBroker(state);
    expect(third.queueStore('q', 'test').activeCount).toBe(0);
    await third.close();
  });

  it('refuses a data folder written in another format instead of misreading it', async () => {
    const state = dataDir();
    await openBroker(state).close();
    if (state.kind !== 'disk') throw new Error('unreachable');
    const db = openDatabase(path.join(state.dir, 'servicebus.sqlite'));
    db.exec('PRAGMA user_version = 99');
    db.close();
    expect(() => openBroker(state)).toThrow(/format 99; this host reads format 1/);
  });

  it('runs the same code in memory: nothing outlives the broker', async () => {
    const first = openBroker(inMemory);
    first.send('q', [text('gone')]);
    await first.close();
    const second = openBroker(inMemory);
    expect(second.queueStore('q', 'test').activeCount).toBe(0);
    await second.close();
  });
});

describe('broker storage in the heap', () => {
  it('delivers a backlog larger than its window in order, an abandoned message first', () => {
    const broker = openBroker(inMemory);
    const store = broker.queueStore('q', 'test');
    broker.send('q', Array.from({ length: 700 }, (_, i) => ({ ...text(String(i)), messageId: `w${i}` })));
    const first = store.receive();
    store.abandon(first?.lockToken as string);
    expect(store.receive()).toMatchObject({ messageId: 'w0', deliveryCount: 2 });
    const order: number[] = [0];
    for (let i = 1; i < 700; i++) {
      const message = store.receive();
      order.push(Number(message?.body.toString()));
      store.complete(message?.lockToken as string);
      // Messages sent while the backlog is read in batches come after it.
      if (i === 400) broker.send('q', [{ ...text('700'), messageId: 'w700' }]);
    }
    order.push(Number(store.receive()?.body.toString()));
    expect(order).toEqual(Array.from({ length: 701 }, (_, i) => i));
    expect(store.receive()).toBeUndefined();
    expect(store.activeCount).toBe(0);
  });

  it('commits a fan-out whole or not at all', () => {
    const strictConfig = parseBrokerConfig(
      JSON.stringify({
        UserConfig: {
          Namespaces: [{ Name: 'ns', Queues: [], Topics: [{ Name: 't', Subscriptions: [{ Name: 'a' }, { Name: 'b', Properties: { ForwardTo: 'missing' } }] }] }],
        },
      }),
    );
    const broker = new ServiceBusBroker({ config: strictConfig, clock: createVirtualClock({ start }), logger: quiet, strict: true });
    const a = broker.store('t/subscriptions/a');
    expect(() => broker.send('t', [text('x')])).toThrow(/missing/);
    expect(a?.activeCount).toBe(0);
    expect(a?.receive()).toBeUndefined();
    expect(a?.activeMessages()).toEqual([]);
  });

  it('sweeps expired message ids from the duplicate history in bulk', () => {
    const clock = createVirtualClock({ start });
    clock.pause();
    const broker = openBroker(inMemory, clock);
    broker.send('q', Array.from({ length: 50 }, (_, i) => ({ ...text('x'), messageId: `d${i}` })));
    expect(broker.duplicateHistorySize()).toBe(50);
    clock.advanceBy(5 * 60_000 + 1);
    broker.send('q', [{ ...text('x'), messageId: 'after' }]);
    expect(broker.duplicateHistorySize()).toBe(1);
  });
});

const brokerModule = path.resolve(__dirname, '../../dist/src/local-host/servicebus/broker.js');

/** A process that sends, takes a lock, reports, and waits to be killed. */
const childScript = `
const { ServiceBusBroker } = require(${JSON.stringify(brokerModule)});
const { parseBrokerConfig } = require(${JSON.stringify(path.resolve(__dirname, '../../dist/src/local-host/servicebus/config.js'))});
const { createLogger } = require(${JSON.stringify(path.resolve(__dirname, '../../dist/src/local-host/logger.js'))});
const { realClock } = require(${JSON.stringify(path.resolve(__dirname, '../../dist/src/local-host/clock.js'))});
const broker = new ServiceBusBroker({ config: parseBrokerConfig(process.env.BROKER_CONFIG), clock: realClock, logger: createLogger({ level: 'silent' }), state: { kind: 'disk', dir: process.env.BROKER_DIR } });
const q = broker.queueStore('q', 'child');
const results = broker.send('q', [{ body: Buffer.from('a'), messageId: 'k1' }, { body: Buffer.from('b'), messageId: 'k2' }]);
broker.send('q', [{ body: Buffer.from('c'), messageId: 'k3', scheduledEnqueueTimeUtc: new Date(Date.now() + 1500) }]);
broker.send('q', [{ body: Buffer.from('d'), messageId: 'k4' }]);
const first = q.receive();
const dead = q.receive();
q.deadLetter(dead.lockToken, 'Poison', 'from the child');
const held = q.receive();
process.stdout.write(JSON.stringify({ held: held.messageId, count: held.deliveryCount, last: Math.max(...results.map((r) => r.sequenceNumber)) + 2 }) + '\\n');
setInterval(() => undefined, 1000);
`;

describe.skipIf(!fs.existsSync(brokerModule))('broker killed with SIGKILL (needs npm run build)', () => {
  it('loses nothing it acknowledged', async () => {
    const state = dataDir();
    if (state.kind !== 'disk') throw new Error('unreachable');
    const child = spawn(process.execPath, ['-e', childScript], { env: { ...process.env, BROKER_DIR: state.dir, BROKER_CONFIG: configJson }, stdio: ['ignore', 'pipe', 'inherit'] });
    const report = await new Promise<{ held: string; count: number; last: number }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] as string) as { held: string; count: number; last: number });
      });
      child.on('exit', (code) => reject(new Error(`the child exited early (${String(code)})`)));
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(report).toMatchObject({ held: 'k4', count: 1 });

    const broker = new ServiceBusBroker({ config, clock: createVirtualClock({ start: new Date(Date.now() + 60_000) }), logger: quiet, state });
    const store = broker.queueStore('q', 'test');
    // k1 and k4 were locked at the kill: both available again, their deliveries counted.
    expect(store.activeMessages().map((m) => [m.messageId, m.deliveryCount])).toEqual([
      ['k1', 1],
      ['k4', 1],
    ]);
    expect(store.deadLetters().map((m) => [m.messageId, m.deadLetterReason, m.deadLetterErrorDescription])).toEqual([['k2', 'Poison', 'from the child']]);
    // The scheduled k3 was due while the process was dead: it arrives at once.
    await waitFor(() => store.activeCount === 3, 'the scheduled message');
    expect(broker.send('q', [{ body: Buffer.from('again'), messageId: 'k2' }])[0]?.duplicate).toBe(true);
    const [next] = broker.send('q', [{ body: Buffer.from('e'), messageId: 'k5' }]);
    expect(next?.sequenceNumber).toBeGreaterThan(report.last);
    await broker.close();
  });
});
