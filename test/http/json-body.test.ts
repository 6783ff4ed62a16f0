import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { isJsonContentType, readJsonBody } from '../../src/http/json-body';

function request(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): HttpRequest {
  return new HttpRequest({ method: 'POST', url: 'http://localhost/api/orders', body: { string: body }, headers });
}

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['application/json;charset="UTF-8"', true],
    ['application/merge-patch+json', true],
    ['application/json; charset=iso-8859-1', false],
    ['text/json', false],
    ['text/plain', false],
    ['', false],
  ])('%s → %s', (header, expected) => {
    expect(isJsonContentType(header)).toBe(expected);
  });

  it('treats a missing header as not JSON', () => {
    expect(isJsonContentType(null)).toBe(false);
  });
});

describe('readJsonBody', () => {
  it('parses a JSON body', async () => {
    await expect(readJsonBody(request('{"a":[1,2]}'))).resolves.toEqual({ ok: true, value: { a: [1, 2] } });
  });

  it('checks the declared length before reading', async () => {
    const result = await readJsonBody(request('{}', { 'content-type': 'application/json', 'content-length': '11' }), 10);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.response.status).toBe(413);
  });

  it('counts the bytes actually sent, not characters', async () => {
    const fits = await readJsonBody(request('"ééé"'), 8);
    const tooBig = await readJsonBody(request('"éééé"'), 8);
    expect(fits.ok).toBe(true);
    expect(tooBig.ok ? 200 : tooBig.response.status).toBe(413);
  });

  it('rejects bytes that are not UTF-8', async () => {
    const result = await readJsonBody(
      new HttpRequest({ method: 'POST', url: 'http://localhost/x', body: { bytes: new Uint8Array([0x22, 0xff, 0x22]) }, headers: { 'content-type': 'application/json' } }),
    );
    expect(result.ok ? 200 : result.response.status).toBe(400);
  });

  it('answers 415 before looking at the body', async () => {
    const result = await readJsonBody(request('x'.repeat(100), { 'content-type': 'text/plain', 'content-length': '999999' }));
    expect(result.ok ? 200 : result.response.status).toBe(415);
  });
});
