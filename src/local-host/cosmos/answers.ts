/** How the server core builds its answers: a status, JSON text, headers; problems as `{code, message}`. */
import type { OperationOutcome } from './document-operations';
import type { JsonObject } from './document-store';

export class Answer {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return new Answer(status, JSON.stringify(value), headers);
}

export function problemAnswer(status: number, code: string, message: string): Answer {
  return json(status, { code, message });
}

export function outcomeAnswer(outcome: OperationOutcome): Answer {
  if (outcome.status >= 400) return problemAnswer(outcome.status, outcome.code ?? 'BadRequest', outcome.message ?? '');
  return new Answer(outcome.status, outcome.body ?? '', outcome.etag ? { etag: outcome.etag } : {});
}

export const isTrue = (value: string | undefined): boolean => value?.toLowerCase() === 'true';

export function feed(name: string, rid: string, items: string[], headers: Record<string, string> = {}): Answer {
  return new Answer(200, `{"_rid":${JSON.stringify(rid)},"${name}":[${items.join(',')}],"_count":${items.length}}`, {
    'x-ms-item-count': String(items.length),
    ...headers,
  });
}

export function parseBody(body: string | undefined): unknown {
  if (!body) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return Symbol.for('invalid-json');
  }
}

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
