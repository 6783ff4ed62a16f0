/**
 * A layer in front of the embedded Cosmos DB server that answers document operations the way a busy or
 * failing account does: 429 with a retry-after, 503, or a request that hangs and then loses its connection,
 * all before the server sees the request; or, for writes, the server applies the write and the client gets
 * a 503 or a dropped connection instead of the answer (`cosmosFailAfterApply`). Account, database and
 * container metadata, which the SDK reads to start, never gets a fault.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { bodyDigest, type FaultInjector } from './fault-injector';

/** `/dbs/{db}/colls/{coll}/docs` and `/dbs/{db}/colls/{coll}/docs/{id}`: reads, queries, writes, batches. */
const documentPath = /^\/dbs\/[^/]+\/colls\/[^/]+\/docs(?:\/[^/]+)?\/?$/;

function headerValue(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function isWrite(req: IncomingMessage): boolean {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD') return false;
  const isQuery = headerValue(req, 'x-ms-documentdb-isquery').toLowerCase() === 'true' || headerValue(req, 'content-type').startsWith('application/query+json');
  return !isQuery;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The request again, with the body that was read to make the decision, for the server to handle. */
function replay(req: IncomingMessage, body: Buffer): IncomingMessage {
  return Object.assign(Readable.from(body.length > 0 ? [body] : []), {
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    socket: req.socket,
  }) as unknown as IncomingMessage;
}

function answer(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-ms-request-charge': '0', ...headers });
  res.end(JSON.stringify({ code, message }));
}

function unavailable(res: ServerResponse, detail: string): void {
  answer(res, 503, 'ServiceUnavailable', `Injected fault: ${detail}`, { 'x-ms-substatus': '0' });
}

/** Replaces the server's answer with a 503 or a dropped connection, once the server has applied the write. */
function failAfterApply(res: ServerResponse, how: 'unavailable' | 'drop'): void {
  const end = res.end.bind(res);
  res.end = ((..._ignored: unknown[]) => {
    if (how === 'drop') {
      res.socket?.destroy();
      return res;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusCode = 503;
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-ms-substatus', '0');
    return end(JSON.stringify({ code: 'ServiceUnavailable', message: 'Injected fault: the write was applied, but the answer was lost.' }));
  }) as ServerResponse['end'];
}

export interface CosmosFaultOptions {
  timeoutMs: number;
  retryAfterMs: number;
}

export function withCosmosFaults(faults: FaultInjector, options: CosmosFaultOptions): (server: RequestListener) => RequestListener {
  const kinds = ['cosmosThrottle', 'cosmosUnavailable', 'cosmosTimeout', 'cosmosFailAfterApply'] as const;
  return (server) => {
    if (!kinds.some((kind) => faults.active(kind))) return server;
    return (req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (!documentPath.test(path)) {
        server(req, res);
        return;
      }
      void readAll(req).then(
        (body) => {
          const key = `${req.method ?? 'GET'} ${path} ${bodyDigest(body)}`;
          if (faults.decide('cosmosThrottle', key)) {
            answer(res, 429, 'TooManyRequests', 'Injected fault: request rate is large.', {
              'x-ms-retry-after-ms': String(options.retryAfterMs),
              'x-ms-substatus': '3200',
            });
            return;
          }
          if (faults.decide('cosmosUnavailable', key)) {
            unavailable(res, 'the service is unavailable.');
            return;
          }
          if (faults.decide('cosmosTimeout', key)) {
            const timer = setTimeout(() => req.socket.destroy(), options.timeoutMs);
            timer.unref();
            req.socket.once('close', () => clearTimeout(timer));
            return;
          }
          if (isWrite(req) && faults.decide('cosmosFailAfterApply', key)) {
            failAfterApply(res, faults.pick('cosmosFailAfterApply', key, ['unavailable', 'drop'] as const));
          }
          server(replay(req, body), res);
        },
        () => req.socket.destroy(),
      );
    };
  };
}
