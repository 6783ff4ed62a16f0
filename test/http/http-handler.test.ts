import { HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { TransientFault } from '../../src/domain';
import { correlationIdOf } from '../../src/http/correlation';
import { httpEndpoint } from '../../src/http/http-handler';
import { fieldErrorsFrom, problemResponse } from '../../src/http/problem';
import { z } from 'zod';

function request(headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({ method: 'GET', url: 'http://localhost/api/x', headers });
}

const context = () => new InvocationContext({ functionName: 'x', invocationId: 'i', logHandler: () => undefined });

describe('correlation ids', () => {
  it.each([['abc-123'], ['has spaces in it'], ['semi;colon"quote'], ['x'.repeat(256)]])('echoes a printable x-correlation-id (%s)', (value) => {
    expect(correlationIdOf(request({ 'x-correlation-id': value }))).toBe(value);
  });

  it.each([['x'.repeat(257)], ['tab\tinside'], ['bell\u0007'], ['é-accented']])('replaces one a log line could be forged with, or unbounded (%s)', (value) => {
    expect(correlationIdOf(request({ 'x-correlation-id': value }))).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('httpEndpoint', () => {
  it('adds x-correlation-id to whatever the handler answers, keeping its headers', async () => {
    const handler = httpEndpoint(async () => ({ status: 204, headers: [['location', '/here']] }));
    const response = await handler(request({ 'x-correlation-id': 'c1' }), context());
    const headers = new Headers(response.headers);
    expect(headers.get('x-correlation-id')).toBe('c1');
    expect(headers.get('location')).toBe('/here');
  });

  it('answers a thrown error with a 500 problem document', async () => {
    const handler = httpEndpoint(async () => {
      throw new TypeError('cannot read properties of undefined');
    });
    const response = await handler(request(), context());
    expect(response.status).toBe(500);
    expect(String(response.body)).not.toContain('cannot read');
  });

  it('answers a transient fault of a store with 503 and Retry-After, naming no internals', async () => {
    const handler = httpEndpoint(async () => {
      throw new TransientFault('Cosmos DB create orders/ord-1 failed transiently: socket hang up');
    });
    const response = await handler(request(), context());
    expect(response.status).toBe(503);
    expect(new Headers(response.headers).get('retry-after')).toBe('1');
    expect(String(response.body)).not.toContain('socket');
    expect(JSON.parse(String(response.body))).toMatchObject({ status: 503, title: 'Service Unavailable' });
  });
});

describe('problem documents', () => {
  it('are RFC 9457 documents with the problem+json media type', () => {
    const response = problemResponse(404, 'No such order.');
    expect(new Headers(response.headers).get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(String(response.body))).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'No such order.' });
  });

  it('list zod issues with dotted paths', () => {
    const result = z.object({ items: z.array(z.object({ quantity: z.number().min(1) })) }).safeParse({ items: [{ quantity: 0 }] });
    expect(result.success).toBe(false);
    if (!result.success) expect(fieldErrorsFrom(result.error)).toEqual([{ path: 'items.0.quantity', message: expect.any(String) }]);
  });
});
