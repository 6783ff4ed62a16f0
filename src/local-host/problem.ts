/** RFC 9457 problem documents and small JSON helpers for the host's own HTTP answers. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  type?: string;
  headers?: Record<string, string>;
  [extension: string]: unknown;
}

export function sendProblem(res: ServerResponse, problem: Problem): void {
  const { status, title, detail, type, headers, ...extensions } = problem;
  const body = JSON.stringify({
    type: type ?? 'about:blank',
    title: title ?? STATUS_CODES[status] ?? 'Error',
    status,
    detail: detail ?? '',
    ...extensions,
  });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** An error that carries the HTTP status and detail the host should answer with. */
export class HttpProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

/** The rule the app applies to the ids it echoes (src/http/correlation.ts): printable ASCII, at most 256. */
const acceptableCorrelationId = /^[\x20-\x7E]{1,256}$/;

/**
 * The request's `x-correlation-id` (or a new one) for answers the host gives itself (404, 405, 500), so a
 * client can quote it whether or not a function ran. An id that is too long or not printable is replaced,
 * so the host never reflects kilobytes of a caller's header back.
 */
export function correlationHeader(req: IncomingMessage): Record<string, string> {
  const given = req.headers['x-correlation-id'];
  const value = (Array.isArray(given) ? given[0] : given)?.trim();
  return { 'x-correlation-id': value && acceptableCorrelationId.test(value) ? value : randomUUID() };
}

/** Decodes a percent-encoded path part; bad encoding is the client's mistake, a 400, never a 500. */
export function decodePathPart(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new HttpProblemError({ status: 400, detail: 'The request path is not valid URL encoding.' });
  }
}
