/**
 * The worker thread that runs the embedded Cosmos DB: opens the SQLite file, answers requests from the main
 * thread's message port one after another. A slow query blocks this thread only, never the host's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../storage/sqlite';
import { CosmosCore } from './cosmos-core';
import type { WorkerMessage, WorkerReply } from './worker-messages';

const port = parentPort;
if (!port) throw new Error('cosmos-worker must run in a worker thread.');

const { file } = workerData as { file: string };

try {
  const db = openDatabase(file);
  const core = new CosmosCore(db);
  port.on('message', (message: WorkerMessage) => {
    let reply: WorkerReply;
    switch (message.type) {
      case 'request':
        reply = { id: message.id, type: 'response', response: core.handle(message.request) };
        break;
      case 'stats':
        reply = { id: message.id, type: 'stats', stats: core.stats() };
        break;
      case 'close':
        db.close();
        reply = { id: message.id, type: 'closed' };
        port.postMessage(reply);
        port.close();
        return;
    }
    port.postMessage(reply);
  });
  port.postMessage({ id: 0, type: 'ready', driver: db.driver } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ id: 0, type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
}
