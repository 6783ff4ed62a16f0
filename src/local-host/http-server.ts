/**
 * The host's single HTTP port. Handlers are consulted in order (host parts such as the Durable API and the
 * Service Bus endpoints first, the app's HTTP triggers last); anything unclaimed is a 404 problem document.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRouteHandler } from './contracts';
import { correlationHeader, HttpProblemError, sendProblem } from './problem';
import { InFlight } from './in-flight';
import type { HostLogger } from './logger';
import { answerClientError } from './client-error';
import { refuseHostileRequest, type HostIdentity } from './request-guard';

export class HostHttpServer {
  readonly #server: http.Server;
  readonly #logger: HostLogger;
  #handlers: HttpRouteHandler[] = [];
  #intake = new Set<HttpRouteHandler>();
  #ready = false;
  #draining = false;
  readonly #inFlight = new InFlight();
  #identity: HostIdentity = { address: '127.0.0.1', port: 0 };

  constructor(logger: HostLogger) {
    this.#logger = logger;
    this.#server = http.createServer((req, res) => void this.#onRequest(req, res));
    // Without a listener Node answers malformed requests with an empty 400/431; these get problem documents.
    this.#server.on('clientError', answerClientError);
    // Keep-alive sockets would otherwise hold close() open for the client's idle timeout.
    this.#server.keepAliveTimeout = 5_000;
  }

  /** Listens on 127.0.0.1; port 0 picks a free port. Resolves with the bound port. */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        const bound = this.#server.address() as AddressInfo;
        this.#identity = { address: bound.address, port: bound.port };
        resolve(bound.port);
      });
    });
  }

  /**
   * Installs the handlers and starts answering (until then requests get 503). `intake` names the handlers
   * that take new work from outside (the app's HTTP triggers); they stop answering first when the host drains.
   */
  setHandlers(handlers: HttpRouteHandler[], options: { intake?: readonly HttpRouteHandler[] } = {}): void {
    this.#handlers = handlers;
    this.#intake = new Set(options.intake ?? []);
    this.#ready = true;
  }

  get inFlight(): number {
    return this.#inFlight.count;
  }

  /**
   * Stops taking new work: intake routes answer 503 from now on, while the host's own endpoints keep
   * answering, because work already in flight still needs them (an activity publishing to the broker, a
   * trigger starting an orchestration). Resolves when the requests in progress have finished (or after
   * `timeoutMs`); `close()` ends the rest.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    if (this.#inFlight.count > 0) {
      await Promise.race([
        this.#inFlight.whenIdle(),
        new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
      ]);
    }
  }

  /** Closes every connection and resolves when the server is fully closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#draining = true;
      if (!this.#server.listening) {
        this.#server.closeAllConnections();
        resolve();
        return;
      }
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.#inFlight.track(async () => {
      if (!this.#ready) {
        sendProblem(res, { status: 503, detail: 'The host is starting.', headers: { 'retry-after': '1', ...correlationHeader(req) } });
        return;
      }
      await this.#dispatch(req, res);
    });
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    } catch {
      sendProblem(res, { status: 400, detail: 'The request URL is not valid.', headers: correlationHeader(req) });
      return;
    }
    const refusal = refuseHostileRequest(req, url.pathname, this.#identity);
    if (refusal) {
      sendProblem(res, { ...refusal, headers: correlationHeader(req) });
      return;
    }
    try {
      for (const handler of this.#handlers) {
        if (this.#draining && this.#intake.has(handler)) continue;
        if (await handler.handle(req, res, url)) return;
      }
      if (this.#draining) {
        res.setHeader('connection', 'close');
        sendProblem(res, { status: 503, detail: 'The host is shutting down.', headers: correlationHeader(req) });
        return;
      }
      sendProblem(res, { status: 404, detail: `No function or host endpoint serves ${req.method} ${url.pathname}.`, headers: correlationHeader(req) });
    } catch (err) {
      if (err instanceof HttpProblemError) {
        sendProblem(res, { ...err.problem, headers: { ...correlationHeader(req), ...err.problem.headers } });
        return;
      }
      this.#logger.error(`${req.method} ${url.pathname} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, 'http');
      sendProblem(res, { status: 500, detail: 'The host failed to handle the request. See the host log for details.', headers: correlationHeader(req) });
    }
  }
}
