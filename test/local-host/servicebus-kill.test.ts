/**
 * `kill -9` of the host started as `npm start` does (the CLI, state in --data-dir): the next start on the
 * same folder still has the dead-lettered message, fires the scheduled one, drops a duplicate of an id the
 * first run accepted, and numbers new messages after the old ones. Needs `npm run build`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, waitFor } from './helpers';

const repoRoot = path.resolve(__dirname, '../..');
const cli = path.join(repoRoot, 'dist/src/local-host/cli.js');
const children: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function startCli(dataDir: string): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, [cli, '--app', fixture('servicebus-app'), '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {
    cwd: repoRoot,
    env: { ...process.env, UNDECLARED_QUEUE_NAME: 'not-declared' },
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], 'the host to listen', 20_000);
  return { child, url };
}

async function send(url: string, entity: string, body: unknown, brokerProperties: Record<string, unknown> = {}): Promise<{ sequenceNumber?: number; duplicate: boolean; scheduled: boolean }> {
  const response = await fetch(`${url}/servicebus/${entity}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', BrokerProperties: JSON.stringify(brokerProperties) },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  const result = (await response.json()) as { messages: Array<{ sequenceNumber?: number; duplicate: boolean; scheduled: boolean }> };
  return result.messages[0] as { sequenceNumber?: number; duplicate: boolean; scheduled: boolean };
}

async function get<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

interface Listing {
  messages: Array<{ sequenceNumber: number; deadLetterReason: string | null; deliveryCount: number; body: unknown }>;
}

interface Stats {
  serviceBus: { completed: number };
}

describe.skipIf(!fs.existsSync(cli))('host killed with SIGKILL, started again on the same data folder', () => {
  it('keeps dead letters, scheduled messages, duplicate history and sequence numbers', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-kill-'));
    dirs.push(dataDir);

    const first = await startCli(dataDir);
    const poison = await send(first.url, 'single', { poison: true });
    const dedupe = await send(first.url, 'dedupe', { n: 1 }, { MessageId: 'only-once' });
    const scheduled = await send(first.url, 'work', { n: 2 }, { MessageId: 'later', ScheduledEnqueueTimeUtc: new Date(Date.now() + 3_000).toISOString() });
    expect(scheduled).toMatchObject({ scheduled: true, duplicate: false });
    await waitFor(async () => (await get<Listing>(`${first.url}/admin/servicebus/single/deadletter`)).messages.length === 1, 'the poison message to be dead-lettered', 10_000);
    await waitFor(async () => (await get<Stats>(`${first.url}/admin/host/stats`)).serviceBus.completed >= 1, 'the dedupe message to be completed', 10_000);
    const killed = new Promise((resolve) => first.child.on('exit', resolve));
    first.child.kill('SIGKILL');
    await killed;

    const second = await startCli(dataDir);
    const dead = await get<Listing>(`${second.url}/admin/servicebus/single/deadletter`);
    expect(dead.messages).toEqual([expect.objectContaining({ sequenceNumber: poison.sequenceNumber, deadLetterReason: 'MaxDeliveryCountExceeded', deliveryCount: 2, body: { poison: true } })]);
    expect(await send(second.url, 'dedupe', { n: 1 }, { MessageId: 'only-once' })).toMatchObject({ duplicate: true });
    // The scheduled message was accepted by the first run; the second delivers it (the only completion).
    await waitFor(async () => (await get<Stats>(`${second.url}/admin/host/stats`)).serviceBus.completed === 1, 'the scheduled message to be processed', 15_000);
    const fresh = await send(second.url, 'outbox', { n: 3 });
    expect(fresh.sequenceNumber).toBeGreaterThan(Math.max(poison.sequenceNumber ?? 0, dedupe.sequenceNumber ?? 0));
    const stopped = new Promise((resolve) => second.child.on('exit', resolve));
    second.child.kill('SIGINT');
    expect(await stopped).toBe(0);
  }, 60_000);
});
