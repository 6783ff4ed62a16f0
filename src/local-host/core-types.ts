/**
 * The subset of the Node worker's `@azure/functions-core` contract that the host implements and calls.
 * The worker ships these types only inside its own runtime, so they are restated here.
 */
import type { CoreBinding, RpcTypedData } from './contracts';

export type WorkerLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type WorkerLogCategory = 'user' | 'system' | 'customMetric';
export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
export const hookNames: readonly HookName[] = ['appStart', 'appTerminate', 'preInvocation', 'postInvocation', 'log'];

export interface CoreFunctionMetadata {
  name: string;
  functionId?: string;
  bindings: Record<string, CoreBinding>;
  retryOptions?: unknown;
}

// The callback's arguments are whatever the programming model passes (inputs then context).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FunctionCallback = (...args: any[]) => unknown;
export type HookCallback = (context: unknown) => unknown;

export interface CoreInvocationRequest {
  invocationId: string;
  functionId: string;
  inputData: Array<{ name: string; data: RpcTypedData }>;
  triggerMetadata: Record<string, RpcTypedData>;
  traceContext?: { traceParent?: string; traceState?: string; attributes?: Record<string, string> };
  retryContext?: { retryCount: number; maxRetryCount: number; exception?: { message?: string } };
}

export interface CoreInvocationContext {
  invocationId: string;
  request: CoreInvocationRequest;
  metadata: { name: string; bindings: Record<string, CoreBinding> };
  state?: 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';
  log(level: WorkerLogLevel, category: WorkerLogCategory, message: string): void;
}

export interface InvocationArguments {
  /** The library's InvocationContext. */
  context: unknown;
  inputs: unknown[];
}

export interface CoreInvocationResponse {
  invocationId: string;
  outputData?: Array<{ name?: string | null; data?: RpcTypedData | null }> | null;
  returnValue?: RpcTypedData | null;
}

export interface InvocationModel {
  getArguments(): Promise<InvocationArguments>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<CoreInvocationResponse>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: CoreInvocationContext): InvocationModel | Promise<InvocationModel>;
  getCapabilities?(capabilities: Record<string, string>): Record<string, string> | Promise<Record<string, string>>;
}

export interface DisposableLike {
  dispose(): unknown;
}
