/**
 * `GET /admin/host/stats`: running totals of the host's parts (database requests, broker traffic,
 * Durable work), the messages waiting in the broker, and the process's memory, so a load test can report
 * costs per saga, backlog and memory growth without instrumenting the app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRouteHandler } from './contracts';
import type { DurableEngine } from './durable/engine';
import type { FaultInjector } from './faults/fault-injector';
import { sendJson, sendProblem } from './problem';
import type { ServiceBusBroker } from './servicebus/broker';

export const statsPath = '/admin/host/stats';

export interface StatsSources {
  cosmos: { mode: 'embedded' | 'real'; endpoint: string; requests: () => number | null };
  broker: ServiceBusBroker;
  durable: DurableEngine;
  invocations: () => number;
  faults?: FaultInjector;
}

export class HostStatsEndpoint implements HttpRouteHandler {
  constructor(private readonly sources: StatsSources) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== statsPath) return false;
    if (req.method !== 'GET') {
      sendProblem(res, { status: 405, detail: `${statsPath} only answers GET.`, headers: { allow: 'GET' } });
      return true;
    }
    const { cosmos, broker, durable, invocations, faults } = this.sources;
    const report = faults?.report();
    sendJson(res, 200, {
      cosmos: { mode: cosmos.mode, endpoint: cosmos.endpoint, requests: cosmos.requests() },
      serviceBus: { ...broker.totals(), ...waitingMessages(broker) },
      durable: durable.counters,
      functionInvocations: invocations(),
      faults: { enabled: report?.enabled ?? false, seed: report?.seed ?? null, injected: report?.injected ?? {} },
      process: processMemory(),
    });
    return true;
  }
}

/** The backlog: messages ready for a receiver (active) and being processed (locked), over every entity. */
function waitingMessages(broker: ServiceBusBroker): { activeMessages: number; lockedMessages: number } {
  let activeMessages = 0;
  let lockedMessages = 0;
  for (const entity of broker.entities()) {
    activeMessages += entity.active;
    lockedMessages += entity.locked;
  }
  return { activeMessages, lockedMessages };
}

/** Whole-process figures: the database and anything else in worker threads count in the resident size. */
export function processMemory(): { residentBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number; arrayBuffersBytes: number } {
  const memory = process.memoryUsage();
  return {
    residentBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    arrayBuffersBytes: memory.arrayBuffers,
  };
}
