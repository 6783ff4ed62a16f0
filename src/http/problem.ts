import type { HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface FieldError {
  path: string;
  message: string;
}

/** RFC 9457 problem details, the body of every 4xx and 5xx answer. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemResponse(
  status: number,
  detail?: string,
  extra: { errors?: FieldError[]; headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
): HttpResponseInit {
  // `about:blank` says the status code carries the meaning; `title` is then the status phrase (RFC 9457 §4.2.1).
  const body: ProblemDocument & Record<string, unknown> = { ...extra.extensions, type: 'about:blank', title: TITLES[status] ?? 'Error', status };
  if (detail !== undefined) body.detail = detail;
  if (extra.errors && extra.errors.length > 0) body.errors = extra.errors;
  return { status, body: JSON.stringify(body), headers: { ...extra.headers, 'content-type': PROBLEM_CONTENT_TYPE } };
}

/** One entry per zod issue, with the path written the way a client would point at the field. */
export function fieldErrorsFrom(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join('.');
}

export function validationProblem(error: z.ZodError, detail = 'The request is not valid.'): HttpResponseInit {
  return problemResponse(400, detail, { errors: fieldErrorsFrom(error) });
}
