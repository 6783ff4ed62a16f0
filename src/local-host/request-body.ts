/** Reads a request body into memory with an upper bound, so one huge upload cannot exhaust the host. */
import type { IncomingMessage } from 'node:http';
import { HttpProblemError } from './problem';

export const defaultMaxBodyBytes = 32 * 1024 * 1024;

export function readBody(req: IncomingMessage, maxBytes = defaultMaxBodyBytes): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        // Keep draining so the client can read the 413 rather than seeing a reset.
        reject(new HttpProblemError({ status: 413, detail: `The request body is larger than ${maxBytes} bytes.` }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}
