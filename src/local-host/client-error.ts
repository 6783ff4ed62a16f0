/**
 * Requests Node's HTTP parser rejects before any handler runs (a bad `Content-Length`, headers over the
 * 16 KiB limit, a malformed request line). Node would answer them with an empty body; the host answers
 * with a problem document like every other refusal, then closes the connection, since the rest of the
 * stream cannot be trusted.
 */
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

interface ParserError extends Error {
  code?: string;
}

const statusByCode: Record<string, { status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'The request headers are larger than the server accepts (16 KiB in all).' },
  HPE_INVALID_CONTENT_LENGTH: { status: 400, detail: 'The Content-Length header is not a valid length.' },
  HPE_UNEXPECTED_CONTENT_LENGTH: { status: 400, detail: 'The request has both Content-Length and Transfer-Encoding.' },
  HPE_INVALID_TRANSFER_ENCODING: { status: 400, detail: 'The Transfer-Encoding header is not valid.' },
  HPE_INVALID_HEADER_TOKEN: { status: 400, detail: 'A request header has a name or value with characters HTTP does not allow.' },
  HPE_INVALID_METHOD: { status: 400, detail: 'The request method is not valid.' },
  HPE_INVALID_URL: { status: 400, detail: 'The request target is not valid.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request was not received in time.' },
};

/** The raw HTTP/1.1 answer for a parser error. */
export function clientErrorResponse(err: ParserError): string {
  const known = statusByCode[err.code ?? ''] ?? { status: 400, detail: 'The request is not valid HTTP.' };
  const title = STATUS_CODES[known.status] ?? 'Bad Request';
  const body = JSON.stringify({ type: 'about:blank', title, status: known.status, detail: known.detail });
  return [
    `HTTP/1.1 ${known.status} ${title}`,
    'content-type: application/problem+json',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-correlation-id: ${randomUUID()}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

export function answerClientError(err: ParserError, socket: Duplex): void {
  // A reset or a half-written response leaves nothing to answer on.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorResponse(err));
}
