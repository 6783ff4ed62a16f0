/**
 * Client spans for requests that never touch a socket. A Cosmos DB account served in this process (the
 * embedded host's in-process transport) is invisible to the HTTP instrumentation, and `@azure/cosmos` makes
 * no spans of its own with key auth, so each request gets the span an HTTP client span would have been:
 * kind CLIENT, the method and URL, the status, and the active span (the activity) as parent.
 */
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { tracer } from './state';

export function tracedHttpClient(inner: HttpClient, system: string): HttpClient {
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const active = trace.getSpan(context.active());
      // Like the HTTP instrumentation here (requireParentforOutgoingSpans): no parent, no span.
      if (!active) return inner.sendRequest(request);
      const url = new URL(request.url);
      const span = tracer().startSpan(request.method, {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': request.method, 'url.full': request.url, 'server.address': url.hostname, 'db.system': system },
      });
      try {
        const response = await context.with(trace.setSpan(context.active(), span), () => inner.sendRequest(request));
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    },
  };
}
