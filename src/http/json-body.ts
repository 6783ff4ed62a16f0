import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { problemResponse } from './problem';

export const MAX_BODY_BYTES = 64 * 1024;

export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; response: HttpResponseInit };

/** `application/json` or any `application/*+json`, with at most a UTF-8 charset. */
export function isJsonContentType(header: string | null): boolean {
  if (!header) return false;
  const [mediaType = '', ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) return false;
  const charset = parameters.find((parameter) => parameter.startsWith('charset='));
  return charset === undefined || ['charset=utf-8', 'charset="utf-8"', 'charset=utf8'].includes(charset);
}

/**
 * Reads a JSON request body, answering 415 / 413 / 400 as the contract says. The declared length is checked
 * before reading, and the bytes are counted while reading, because the header may be missing or wrong.
 */
export async function readJsonBody(request: HttpRequest, maxBytes = MAX_BODY_BYTES): Promise<JsonBodyResult> {
  if (!isJsonContentType(request.headers.get('content-type'))) {
    return { ok: false, response: problemResponse(415, 'The request body must be JSON (Content-Type: application/json).') };
  }
  const tooLarge = { ok: false as const, response: problemResponse(413, `The request body must not exceed ${maxBytes} bytes.`) };
  const declaredLength = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes) return tooLarge;

  const bytes = await readAtMost(request, maxBytes);
  if (bytes === null) return tooLarge;
  if (bytes.length === 0) return { ok: false, response: problemResponse(400, 'The request body is empty; a JSON object is required.') };

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, response: problemResponse(400, 'The request body is not valid UTF-8.') };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // JSON.parse's message quotes the input, which may hold a card number: it is neither returned nor logged.
    return { ok: false, response: problemResponse(400, 'The request body is not valid JSON.') };
  }
}

/** The body's bytes, or null as soon as there are more than `maxBytes`, without buffering the rest. */
async function readAtMost(request: HttpRequest, maxBytes: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    const chunk = toBytes(next.value as unknown);
    total += chunk.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return Buffer.from(String(value));
}
