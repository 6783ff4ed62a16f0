/**
 * The main thread's side of the Cosmos DB worker: starts the worker thread, sends it requests over its message
 * port and resolves each answer by its id.
 *
 * The worker runs `cosmos-worker.js` from the build. Run from TypeScript sources (the tests), there is no such
 * file next to this one; the worker then compiles the sources itself with esbuild (which the test runner
 * brings) through a `.ts` require hook.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CosmosCoreStats } from './cosmos-core';
import type { CosmosRequest, CosmosResponse } from './protocol';
import type { WorkerMessage, WorkerReply } from './worker-messages';

export interface CosmosWorker {
  /** The SQLite driver the worker opened the file with. */
  readonly driver: string;
  handle(request: CosmosRequest): Promise<CosmosResponse>;
  stats(): Promise<CosmosCoreStats>;
  close(): Promise<void>;
}

function tsBootstrap(source: string): string {
  return `
const { createRequire } = require('node:module');
const fs = require('node:fs');
const localRequire = createRequire(${JSON.stringify(source)});
const { transformSync } = localRequire('esbuild');
localRequire.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: filename, sourcemap: 'inline' });
  module._compile(code, filename);
};
localRequire(${JSON.stringify(source)});
`;
}

function spawn(file: string): Worker {
  const compiled = path.join(__dirname, 'cosmos-worker.js');
  if (fs.existsSync(compiled)) return new Worker(compiled, { workerData: { file } });
  return new Worker(tsBootstrap(path.join(__dirname, 'cosmos-worker.ts')), { eval: true, workerData: { file } });
}

type Pending = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void };

export async function startCosmosWorker(file: string): Promise<CosmosWorker> {
  const worker = spawn(file);
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let exited: Error | undefined;

  const ready = new Promise<string>((resolve, reject) => {
    const onReady = (reply: WorkerReply): void => {
      if (reply.type === 'ready') resolve(reply.driver);
      else if (reply.type === 'failed') reject(new Error(`The embedded Cosmos DB could not open ${file}: ${reply.message}`));
      else return;
      worker.off('message', onReady);
    };
    worker.on('message', onReady);
    worker.once('error', reject);
  });

  worker.on('message', (reply: WorkerReply) => {
    if (reply.id === 0) return;
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    waiting.resolve(reply);
  });
  const fail = (error: Error): void => {
    exited = error;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`The embedded Cosmos DB worker exited (code ${code}).`)));

  const driver = await ready;
  // Pending requests keep their callers waiting, not the process: the host closes the worker when it stops.
  worker.unref();

  const send = (message: WorkerMessage): Promise<WorkerReply> => {
    if (exited) return Promise.reject(exited);
    return new Promise<WorkerReply>((resolve, reject) => {
      pending.set(message.id, { resolve, reject });
      worker.postMessage(message);
    });
  };

  return {
    driver,
    async handle(request) {
      const reply = await send({ id: nextId++, type: 'request', request });
      if (reply.type !== 'response') throw new Error(`Unexpected answer from the Cosmos DB worker: ${reply.type}`);
      return reply.response;
    },
    async stats() {
      const reply = await send({ id: nextId++, type: 'stats' });
      if (reply.type !== 'stats') throw new Error(`Unexpected answer from the Cosmos DB worker: ${reply.type}`);
      return reply.stats;
    },
    async close() {
      if (exited) return;
      // Closing is awaited: the worker holds the process open until it has closed the database.
      worker.ref();
      const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      await send({ id: nextId++, type: 'close' }).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exit, new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)))]);
      clearTimeout(timer);
      if (!exited) await worker.terminate();
    },
  };
}
