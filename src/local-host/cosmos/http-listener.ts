/**
 * The embedded Cosmos DB over HTTP on 127.0.0.1 (keep-alive), for clients outside the host's process: scripts,
 * tests, the bench. It forwards to the same handler as the in-process transport.
 */
import http, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionDropped, type CosmosHandler, type CosmosRequest } from './protocol';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export interface CosmosHttpListener {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenCosmosHttp(handle: CosmosHandler, port = 0): Promise<CosmosHttpListener> {
  const server: Server = http.createServer({ keepAlive: true }, (req, res) => {
    void (async () => {
      const body = await readBody(req);
      const request: CosmosRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: headersOf(req), ...(body.length > 0 ? { body } : {}) };
      const response = await handle(request);
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    })().catch((error: unknown) => {
      if (error instanceof ConnectionDropped || res.headersSent) {
        req.socket.destroy();
        return;
      }
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'InternalServerError', message: error instanceof Error ? error.message : String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
