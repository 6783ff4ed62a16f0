/**
 * The Durable HTTP API (EXT HttpApiHandler.cs) under /runtime/webhooks/durabletask/ and /durabletask/ (the
 * latter is what DF's DurableClient calls through `rpcBaseUrl`). Status codes follow the extension, because
 * DF's client decides success and failure by them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRouteHandler } from '../contracts';
import { jsonNestingDepth, maxJsonDepth } from '../json-depth';
import { correlationHeader, decodePathPart, HttpProblemError, sendJson, sendProblem } from '../problem';
import { readBody } from '../request-body';
import { checkStatusBody, rpcPath, webhookPath } from './client-urls';
import { isTerminal, runtimeStatuses, type InstanceQuery, type InstanceRecord, type RuntimeStatus } from './instance-store';
import type { ControlResult, OrchestrationRunner, StartResult } from './orchestration-runner';
import { statusPayload } from './status-payload';
import type { TaskHubStore } from './task-hub-store';
import { parseQueryDate } from './time-format';
import { parseLenient } from './typed-data';

export interface DurableHttpApiOptions {
  runner: OrchestrationRunner;
  store: TaskHubStore;
  hubName: string;
  /** Resolves with the record once `predicate` holds, or undefined after `timeoutMs` (wall-clock). */
  waitForInstance(instanceId: string, predicate: (record: InstanceRecord) => boolean, timeoutMs: number): Promise<InstanceRecord | undefined>;
}

const prefixes = [`${webhookPath}/`, `${rpcPath}/`];

/** The path below one of the API prefixes, or undefined when the request is not for this API. */
function routePath(pathname: string): string | undefined {
  for (const prefix of prefixes) {
    if (pathname.startsWith(prefix)) return pathname.slice(prefix.length);
    if (pathname === prefix.slice(0, -1)) return '';
  }
  return undefined;
}

function segments(path: string): string[] {
  return path
    .split('/')
    .filter((segment) => segment.length > 0)
    .map(decodePathPart);
}

/** .NET bool.TryParse: "true"/"false" in any case; anything else counts as absent. */
function boolParam(url: URL, name: string): boolean | undefined {
  const value = url.searchParams.get(name)?.trim().toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

function intParam(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null || !/^\s*-?\d+\s*$/.test(value)) return undefined;
  return Number.parseInt(value, 10);
}

function secondsParam(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** Comma-separated statuses, possibly repeated; unknown names are ignored as Enum.TryParse does. */
function statusesParam(url: URL): RuntimeStatus[] | undefined {
  const statuses: RuntimeStatus[] = [];
  for (const value of url.searchParams.getAll('runtimeStatus')) {
    for (const part of value.split(',')) {
      const match = runtimeStatuses.find((status) => status.toLowerCase() === part.trim().toLowerCase());
      if (match) statuses.push(match);
    }
  }
  return statuses.length > 0 ? statuses : undefined;
}

function queryFromUrl(url: URL): InstanceQuery {
  const query: InstanceQuery = {};
  const from = parseQueryDate(url.searchParams.get('createdTimeFrom'));
  const to = parseQueryDate(url.searchParams.get('createdTimeTo'));
  const statuses = statusesParam(url);
  const prefix = url.searchParams.get('instanceIdPrefix');
  if (from) query.createdTimeFrom = from;
  if (to) query.createdTimeTo = to;
  if (statuses) query.runtimeStatus = statuses;
  if (prefix !== null) query.instanceIdPrefix = prefix;
  return query;
}

function isJsonContentType(req: IncomingMessage): boolean {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

/**
 * A JSON request body as text (null when empty); 400 when it is not JSON, or nests so deep that showing the
 * instance's input again (its status) would overflow the stack.
 */
async function jsonBodyText(req: IncomingMessage): Promise<string | null> {
  const text = (await readBody(req)).toString('utf8');
  if (text.trim() === '') return null;
  if (jsonNestingDepth(text) > maxJsonDepth) {
    throw new HttpProblemError({ status: 400, detail: `The JSON content nests deeper than ${maxJsonDepth} levels of arrays and objects.` });
  }
  try {
    JSON.parse(text);
  } catch {
    throw new HttpProblemError({ status: 400, detail: 'Invalid JSON content' });
  }
  return text;
}

function notFound(instanceId: string): HttpProblemError {
  return new HttpProblemError({ status: 404, detail: `No instance with ID '${instanceId}' found.`, instanceId });
}

export class DurableHttpApi implements HttpRouteHandler {
  readonly #options: DurableHttpApiOptions;

  constructor(options: DurableHttpApiOptions) {
    this.#options = options;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = routePath(url.pathname);
    if (path === undefined) return false;
    try {
      await this.#route(req, res, url, segments(path));
    } catch (err) {
      const headers = correlationHeader(req);
      if (err instanceof HttpProblemError) sendProblem(res, { ...err.problem, headers: { ...headers, ...err.problem.headers } });
      else sendProblem(res, { status: 500, detail: `Something went wrong while processing your request: ${String(err)}`, headers });
    }
    return true;
  }

  async #route(req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const [area, first, second, third] = parts;
    if (area === 'orchestrators' && first !== undefined && parts.length <= 3 && method === 'POST') {
      return this.#start(req, res, url, first, second);
    }
    if (area === 'instances') {
      if (first === undefined) {
        if (method === 'GET') return this.#list(req, res, url);
        if (method === 'DELETE') return this.#purgeWhere(res, url);
      } else if (second === undefined) {
        if (method === 'GET') return this.#status(res, url, first);
        if (method === 'DELETE') return this.#purge(res, first);
      } else if (second === 'raiseEvent' && third !== undefined && parts.length === 4 && method === 'POST') {
        return this.#raiseEvent(req, res, first, third);
      } else if (parts.length === 3 && method === 'POST') {
        return this.#operation(res, url, first, second);
      }
    }
    if (area === 'entities') {
      throw new HttpProblemError({ status: 501, detail: 'Durable entities are not supported by the embedded host.' });
    }
    throw new HttpProblemError({ status: 404, detail: `No Durable Functions API at ${url.pathname} for ${method}.` });
  }

  #sendCheckStatus(res: ServerResponse, url: URL, instanceId: string): void {
    const body = checkStatusBody(url.origin, this.#options.hubName, instanceId);
    sendJson(res, 202, body, { Location: body.statusQueryGetUri, 'Retry-After': '10' });
  }

  async #start(req: IncomingMessage, res: ServerResponse, url: URL, functionName: string, instanceId: string | undefined): Promise<void> {
    const input = await jsonBodyText(req);
    const request: Parameters<OrchestrationRunner['start']>[0] = { name: functionName, input, version: url.searchParams.get('version') };
    if (instanceId !== undefined) request.instanceId = instanceId;
    const result = this.#options.runner.start(request);
    await this.#answerStart(res, url, result);
  }

  /** 202 with the management URLs, or (with `timeout` and `pollingInterval`) the result if it comes in time. */
  async #answerStart(res: ServerResponse, url: URL, result: StartResult): Promise<void> {
    if (!result.ok) {
      throw new HttpProblemError({ status: result.status, detail: result.message });
    }
    const timeoutSeconds = secondsParam(url, 'timeout');
    if (timeoutSeconds === undefined || secondsParam(url, 'pollingInterval') === undefined) {
      this.#sendCheckStatus(res, url, result.instanceId);
      return;
    }
    const record = await this.#options.waitForInstance(result.instanceId, (r) => isTerminal(r.runtimeStatus), timeoutSeconds * 1000);
    if (!record) {
      this.#sendCheckStatus(res, url, result.instanceId);
      return;
    }
    if (record.runtimeStatus === 'Completed') sendJson(res, 200, parseLenient(record.output));
    else sendJson(res, record.runtimeStatus === 'Failed' ? 500 : 200, statusPayload(record));
  }

  #status(res: ServerResponse, url: URL, instanceId: string): void {
    const showHistory = boolParam(url, 'showHistory') ?? false;
    // A finished instance's history is read from the task hub only when asked for.
    const record = showHistory ? this.#options.store.get(instanceId) : this.#options.store.summary(instanceId);
    if (!record) throw notFound(instanceId);
    const payload = statusPayload(record, {
      showHistory,
      showHistoryOutput: boolParam(url, 'showHistoryOutput') ?? false,
      showInput: boolParam(url, 'showInput') ?? true,
    });
    switch (record.runtimeStatus) {
      case 'Running':
      case 'Pending':
      case 'ContinuedAsNew':
      case 'Suspended':
        sendJson(res, 202, payload, { Location: url.href, 'Retry-After': '5' });
        return;
      case 'Failed':
        sendJson(res, boolParam(url, 'returnInternalServerErrorOnFailure') ? 500 : 200, payload);
        return;
      default:
        sendJson(res, 200, payload);
    }
  }

  #list(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const token = req.headers['x-ms-continuation-token'];
    let page;
    try {
      page = this.#options.store.page(queryFromUrl(url), intParam(url, 'top'), typeof token === 'string' && token !== '' ? token : undefined);
    } catch (err) {
      throw new HttpProblemError({ status: 400, detail: err instanceof Error ? err.message : String(err) });
    }
    const showInput = boolParam(url, 'showInput') ?? true;
    const headers: Record<string, string> = {};
    // DF keeps requesting pages while this header is present, so the last page must not send it.
    if (page.continuationToken) headers['x-ms-continuation-token'] = page.continuationToken;
    sendJson(
      res,
      200,
      page.records.map((record) => statusPayload(record, { showInput })),
      headers,
    );
  }

  #purge(res: ServerResponse, instanceId: string): void {
    const result = this.#options.runner.purge(instanceId);
    if (result === 'notFound') throw notFound(instanceId);
    if (result === 'notTerminal') {
      const status = this.#options.store.summary(instanceId)?.runtimeStatus ?? 'unknown';
      throw new HttpProblemError({
        status: 412,
        detail: `Only orchestrations in a terminal state can be purged, but the orchestration with instance ID ${instanceId} has status ${status}`,
      });
    }
    sendJson(res, 200, { instancesDeleted: 1 });
  }

  #purgeWhere(res: ServerResponse, url: URL): void {
    const query = queryFromUrl(url);
    if (!query.createdTimeFrom) {
      throw new HttpProblemError({ status: 400, detail: "Please provide value for 'createdTimeFrom' parameter." });
    }
    const deleted = this.#options.runner.purgeWhere(query);
    if (deleted === 0) throw new HttpProblemError({ status: 404, detail: 'No instances matched the purge filter.' });
    sendJson(res, 200, { instancesDeleted: deleted });
  }

  async #raiseEvent(req: IncomingMessage, res: ServerResponse, instanceId: string, eventName: string): Promise<void> {
    const record = this.#options.store.summary(instanceId);
    if (!record) throw notFound(instanceId);
    if (isTerminal(record.runtimeStatus)) {
      throw new HttpProblemError({ status: 410, detail: `The instance '${instanceId}' is ${record.runtimeStatus}; it takes no more events.` });
    }
    if (!isJsonContentType(req)) {
      throw new HttpProblemError({ status: 400, detail: 'Only application/json request content is supported' });
    }
    const input = await jsonBodyText(req);
    this.#answerControl(res, instanceId, this.#options.runner.raiseEvent(instanceId, eventName, input));
  }

  async #operation(res: ServerResponse, url: URL, instanceId: string, operation: string): Promise<void> {
    const reason = url.searchParams.get('reason');
    const { runner, store } = this.#options;
    switch (operation.toLowerCase()) {
      case 'terminate':
        return this.#answerControl(res, instanceId, runner.terminate(instanceId, reason ?? ''));
      case 'suspend':
        return this.#answerControl(res, instanceId, runner.suspend(instanceId, reason));
      case 'resume':
        return this.#answerControl(res, instanceId, runner.resume(instanceId, reason));
      case 'restart': {
        const sameId = boolParam(url, 'restartWithNewInstanceId') === false;
        const result = runner.restart(instanceId, sameId);
        if (!result) throw notFound(instanceId);
        return this.#answerStart(res, url, result);
      }
      case 'rewind': {
        const record = store.summary(instanceId);
        if (!record) throw notFound(instanceId);
        if (record.runtimeStatus !== 'Failed') {
          throw new HttpProblemError({
            status: 412,
            detail: `This orchestration has status ${record.runtimeStatus}, but only orchestrations in the "Failed" state can be rewound.`,
          });
        }
        throw new HttpProblemError({ status: 501, detail: 'Rewind is not supported by the embedded host.' });
      }
      default:
        throw new HttpProblemError({ status: 404, detail: `Unknown instance operation '${operation}'.` });
    }
  }

  #answerControl(res: ServerResponse, instanceId: string, result: ControlResult): void {
    if (result === 'notFound') throw notFound(instanceId);
    if (result === 'gone') throw new HttpProblemError({ status: 410, detail: `The instance '${instanceId}' has already finished.` });
    res.writeHead(202, { 'content-length': '0' });
    res.end();
  }
}
