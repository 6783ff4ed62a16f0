/**
 * An `HttpClient` for the `@azure/cosmos` SDK that hands each request straight to the embedded server's
 * handler: no socket, no HTTP parsing, the SDK's own pipeline (signing, retries, diagnostics) unchanged.
 * Failures look as they do on the wire: a dropped connection rejects with ECONNRESET, the SDK's timeout
 * (its abort signal) with an AbortError.
 */
import { createHttpHeaders, RestError, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { ConnectionDropped, type CosmosHandler, type CosmosRequest } from './protocol';

function abortError(): Error {
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  return error;
}

function bodyText(body: PipelineRequest['body']): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  throw new RestError('The in-process Cosmos DB transport sends string or buffer bodies only.', { code: 'REQUEST_SEND_ERROR' });
}

export function createInProcessTransport(handle: CosmosHandler): HttpClient {
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const { abortSignal } = request;
      if (abortSignal?.aborted) throw abortError();
      const url = new URL(request.url);
      const headers: Record<string, string> = { host: url.host };
      for (const [name, value] of request.headers) headers[name.toLowerCase()] = value;
      const body = bodyText(request.body);
      const cosmosRequest: CosmosRequest = { method: request.method, path: `${url.pathname}${url.search}`, headers, ...(body !== undefined ? { body } : {}) };

      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(abortError());
        abortSignal?.addEventListener('abort', onAbort, { once: true });
      });
      try {
        const response = await (abortSignal ? Promise.race([handle(cosmosRequest), aborted]) : handle(cosmosRequest));
        return { request, status: response.status, headers: createHttpHeaders(response.headers), bodyAsText: response.body };
      } catch (error) {
        if (error instanceof ConnectionDropped) throw new RestError(error.message, { code: 'ECONNRESET', request });
        throw error;
      } finally {
        if (onAbort) abortSignal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
