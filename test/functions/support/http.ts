import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';

export interface CapturedLogs {
  lines: string[];
  text(): string;
}

/** A real InvocationContext whose log lines are kept for assertions. */
export function invocationContext(functionName = 'test', logs?: CapturedLogs): InvocationContext {
  return new InvocationContext({
    functionName,
    invocationId: `${functionName}-invocation`,
    logHandler: (level, ...args) => logs?.lines.push(`${level}: ${args.map(String).join(' ')}`),
  });
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  return { lines, text: () => lines.join('\n') };
}

export function httpRequest(init: {
  method?: string;
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  params?: Record<string, string>;
}): HttpRequest {
  const url = new URL(init.path, 'http://localhost:7071');
  const query = Object.fromEntries(url.searchParams.entries());
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? { string: init.body } : { bytes: init.body };
  return new HttpRequest({
    method: init.method ?? 'GET',
    url: url.href,
    headers: init.headers ?? {},
    query,
    params: init.params ?? {},
    ...(body ? { body } : {}),
  });
}

export function postJson(path: string, value: unknown, headers: Record<string, string> = {}): HttpRequest {
  return httpRequest({ method: 'POST', path, body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...headers } });
}

export interface ReadResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export function readResponse(response: HttpResponseInit): ReadResponse {
  const text = typeof response.body === 'string' ? response.body : '';
  let json: unknown = undefined;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status ?? 200, headers: new Headers(response.headers ?? {}), text, json };
}
