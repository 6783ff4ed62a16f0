/**
 * The seams between the embedded host's parts. The host core (loader, invoker, HTTP server, Service Bus
 * broker, timers) and the Durable engine only meet through these types, so each can be tested alone.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The worker's RpcTypedData: exactly one member is set. */
export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  stream?: Uint8Array | null;
  http?: RpcHttpData | null;
  int?: number | null;
  double?: number | null;
}

export interface RpcHttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  body?: RpcTypedData | null;
  params?: Record<string, string> | null;
  query?: Record<string, string> | null;
  statusCode?: string | null;
  cookies?: unknown[] | null;
  nullableHeaders?: Record<string, { value?: string | null }> | null;
  nullableParams?: Record<string, { value?: string | null }> | null;
  nullableQuery?: Record<string, { value?: string | null }> | null;
}

/** One binding as @azure/functions registers it (type already carries the Trigger suffix for triggers). */
export interface CoreBinding {
  type: string;
  direction: 'in' | 'out' | 'inout';
  [option: string]: unknown;
}

/** A function captured from the app through the fake `@azure/functions-core` module. */
export interface RegisteredFunction {
  name: string;
  bindings: Record<string, CoreBinding>;
  /** The binding name and binding of the trigger. */
  triggerName: string;
  trigger: CoreBinding;
  retryOptions?: unknown;
}

export interface InvocationRequest {
  /** The trigger's value, as the worker would send it. */
  triggerData: RpcTypedData;
  /** Trigger metadata (e.g. deliveryCount, messageId, instanceId), each value as RpcTypedData. */
  triggerMetadata?: Record<string, RpcTypedData>;
}

export interface InvocationResult {
  /** The converted `$return` value or, for non-HTTP triggers, the handler's result as RpcTypedData. */
  returnValue?: RpcTypedData | null;
  /** Output bindings set through context.extraOutputs, by binding name. */
  outputData: Array<{ name: string; data: RpcTypedData }>;
}

/** Calls a registered function through @azure/functions' own invocation model (hooks included). */
export interface FunctionInvoker {
  invoke(fn: RegisteredFunction, request: InvocationRequest): Promise<InvocationResult>;
}

/** Supplies the value of a non-trigger input binding (e.g. `durableClient`) for each invocation. */
export type InputBindingProvider = (fn: RegisteredFunction, bindingName: string, binding: CoreBinding) => RpcTypedData;

/** A part of the host that serves some URL paths on the host's single HTTP port. */
export interface HttpRouteHandler {
  /** Returns true when it handled the request. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

/** A host part with a lifecycle: started after the app loaded, drained on Ctrl-C. */
export interface HostService {
  start(): Promise<void>;
  /** Stops taking new work and waits for in-flight work (bounded by the caller). */
  drain(): Promise<void>;
}

/** The clock the host's timers use; virtual time lets tests jump to the next timer. */
export interface HostClock {
  now(): Date;
  /** Resolves when `at` is reached (real or virtual). Rejects/returns early when `signal` aborts. */
  sleepUntil(at: Date, signal?: AbortSignal): Promise<void>;
}
