/**
 * Serves the app's HTTP triggers: matches the route, converts the Node request into the worker's `http`
 * RpcTypedData, invokes the function and writes its `$return` back, as the Functions host does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionInvoker, HttpRouteHandler, RegisteredFunction, RpcHttpData, RpcTypedData } from './contracts';
import { comparePrecedence, compileRoute, matchRoute, type CompiledRoute } from './http-route';
import { correlationHeader, HttpProblemError, sendProblem } from './problem';
import { readBody } from './request-body';
import type { HostLogger } from './logger';

export const allHttpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'];

export interface HttpTriggerRoute {
  fn: RegisteredFunction;
  /** The route as a client sees it, e.g. `api/orders/{id}`. */
  path: string;
  methods: string[];
  compiled: CompiledRoute;
}

export function isHttpTrigger(fn: RegisteredFunction): boolean {
  return fn.trigger.type.toLowerCase() === 'httptrigger';
}

export function httpRoutesOf(functions: RegisteredFunction[], routePrefix: string): HttpTriggerRoute[] {
  const routes = functions.filter(isHttpTrigger).map((fn) => {
    const route = typeof fn.trigger.route === 'string' && fn.trigger.route.trim() !== '' ? fn.trigger.route.trim() : fn.name;
    const path = [routePrefix, route.replace(/^\/+/, '')].filter((p) => p !== '').join('/');
    const declared = Array.isArray(fn.trigger.methods) ? (fn.trigger.methods as unknown[]).map((m) => String(m).toUpperCase()) : [];
    return { fn, path, methods: declared.length > 0 ? declared : allHttpMethods, compiled: compileRoute(path) };
  });
  return routes.sort((a, b) => comparePrecedence(a.compiled, b.compiled));
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) {
    query[key] = url.searchParams.getAll(key).join(',');
  }
  return query;
}

export function toRpcHttpRequest(req: IncomingMessage, url: URL, params: Record<string, string>, body: Buffer): RpcTypedData {
  const http: RpcHttpData = {
    method: req.method ?? 'GET',
    url: url.toString(),
    headers: flattenHeaders(req),
    query: queryOf(url),
    params,
    body: { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) },
  };
  return { http };
}

interface RpcCookie {
  name?: string;
  value?: string;
  domain?: { value?: string | null } | null;
  path?: { value?: string | null } | null;
  expires?: { value?: { seconds?: number | string | null } | null } | null;
  secure?: { value?: boolean | null } | null;
  httpOnly?: { value?: boolean | null } | null;
  sameSite?: string | null;
  maxAge?: { value?: number | null } | null;
}

function toSetCookie(cookie: RpcCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (seconds !== undefined && seconds !== null) parts.push(`Expires=${new Date(Number(seconds) * 1000).toUTCString()}`);
  if (cookie.maxAge?.value !== undefined && cookie.maxAge?.value !== null) parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  const sameSite = { lax: 'Lax', strict: 'Strict', explicitNone: 'None' }[cookie.sameSite ?? ''];
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join('; ');
}

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes);
  if (body.stream) return Buffer.from(body.stream);
  if (typeof body.string === 'string') return Buffer.from(body.string);
  if (typeof body.json === 'string') return Buffer.from(body.json);
  if (typeof body.int === 'number') return Buffer.from(String(body.int));
  if (typeof body.double === 'number') return Buffer.from(String(body.double));
  return Buffer.alloc(0);
}

/** Writes the `$return` http RpcTypedData. A function that returned nothing answers 204. */
export function writeRpcHttpResponse(res: ServerResponse, method: string, value: RpcTypedData | null | undefined): void {
  const http = value?.http;
  if (!http) {
    res.writeHead(204);
    res.end();
    return;
  }
  const status = Number(http.statusCode ?? 200) || 200;
  for (const [name, headerValue] of Object.entries(http.headers ?? {})) {
    res.setHeader(name, headerValue);
  }
  const cookies = (http.cookies ?? []) as RpcCookie[];
  if (cookies.length > 0) res.setHeader('set-cookie', cookies.map(toSetCookie));
  const body = bodyBytes(http.body);
  const bodyless = method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
  if (!bodyless) res.setHeader('content-length', body.length);
  res.writeHead(status);
  res.end(bodyless ? undefined : body);
}

export class HttpTriggerHandler implements HttpRouteHandler {
  readonly routes: HttpTriggerRoute[];

  constructor(
    functions: RegisteredFunction[],
    routePrefix: string,
    private readonly invoker: FunctionInvoker,
    private readonly logger: HostLogger,
  ) {
    this.routes = httpRoutesOf(functions, routePrefix);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = (req.method ?? 'GET').toUpperCase();
    const pathname = url.pathname;
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matchRoute(route.compiled, pathname);
      if (!params) continue;
      if (!route.methods.includes(method)) {
        for (const m of route.methods) allowed.add(m);
        continue;
      }
      await this.#invoke(route, req, res, url, params);
      return true;
    }
    if (allowed.size > 0) {
      sendProblem(res, {
        status: 405,
        detail: `${method} is not allowed on ${pathname}.`,
        headers: { allow: [...allowed].join(', '), ...correlationHeader(req) },
      });
      return true;
    }
    return false;
  }

  async #invoke(route: HttpTriggerRoute, req: IncomingMessage, res: ServerResponse, url: URL, params: Record<string, string>): Promise<void> {
    const body = await readBody(req);
    const started = performance.now();
    try {
      const result = await this.invoker.invoke(route.fn, { triggerData: toRpcHttpRequest(req, url, params, body) });
      writeRpcHttpResponse(res, (req.method ?? 'GET').toUpperCase(), result.returnValue);
      this.logger.debug(`${req.method} ${url.pathname} → ${res.statusCode} (${(performance.now() - started).toFixed(1)} ms)`, route.fn.name);
    } catch (err) {
      if (err instanceof HttpProblemError) throw err;
      this.logger.error(`${req.method} ${url.pathname} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, route.fn.name);
      sendProblem(res, { status: 500, detail: `The function "${route.fn.name}" failed. See the host log for details.`, headers: correlationHeader(req) });
    }
  }
}
