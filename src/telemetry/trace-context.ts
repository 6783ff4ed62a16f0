/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) as this app carries it: in HTTP headers, in
 * Service Bus application properties (`Diagnostic-Id`, as the Azure SDKs and the Functions host read it,
 * and `traceparent`), and in the saga's Durable input.
 */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

export interface TraceParent {
  version: string;
  traceId: string;
  spanId: string;
  flags: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;
/** 32 list members of at most 256 characters each is the spec's bound; anything longer is dropped. */
const MAX_TRACESTATE_LENGTH = 512;

/** The header's fields, or null for anything the spec says to ignore (then the caller starts a new trace). */
export function parseTraceparent(header: unknown): TraceParent | null {
  if (typeof header !== 'string') return null;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return null;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  // Version ff is forbidden; version 00 has exactly four fields; a later version may add fields after a dash.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return null;
  return { version, traceId, spanId, flags };
}

export function formatTraceparent(parent: Pick<TraceParent, 'traceId' | 'spanId'> & { sampled: boolean }): string {
  return `00-${parent.traceId}-${parent.spanId}-${parent.sampled ? '01' : '00'}`;
}

/** The carrier with only a valid traceparent and a bounded tracestate, or null when there is nothing to follow. */
export function validCarrier(traceparent: unknown, tracestate?: unknown): Required<Pick<TraceCarrier, 'traceparent'>> & TraceCarrier | null {
  if (!parseTraceparent(traceparent)) return null;
  const carrier: TraceCarrier & { traceparent: string } = { traceparent: (traceparent as string).trim() };
  if (typeof tracestate === 'string' && tracestate.length > 0 && tracestate.length <= MAX_TRACESTATE_LENGTH) carrier.tracestate = tracestate;
  return carrier;
}
