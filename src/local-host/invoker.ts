/**
 * Calls a captured function through the programming model the app registered, in the order the worker's
 * InvocationHandler uses: getArguments → preInvocation hooks → invokeFunction → postInvocation hooks →
 * getResponse. The library does every conversion, so handlers see exactly what they would under `func`.
 */
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import type {
  CoreBinding,
  FunctionInvoker,
  InputBindingProvider,
  InvocationRequest,
  InvocationResult,
  RegisteredFunction,
  RpcTypedData,
} from './contracts';
import type { CoreInvocationContext, FunctionCallback, WorkerLogCategory, WorkerLogLevel } from './core-types';
import { getProgrammingModel, type CoreRegistry } from './core-module';
import { InFlight } from './in-flight';
import { fromWorkerLevel, type HostLogger } from './logger';

/** Delivers what a function wrote to an output binding (e.g. a Service Bus message) after it returned. */
export type OutputBindingHandler = (fn: RegisteredFunction, bindingName: string, binding: CoreBinding, data: RpcTypedData) => void | Promise<void>;

export class Invoker implements FunctionInvoker {
  readonly #registry: CoreRegistry;
  readonly #logger: HostLogger;
  readonly #providers = new Map<string, InputBindingProvider>();
  readonly #outputHandlers = new Map<string, OutputBindingHandler>();
  readonly #warnedBindings = new Set<string>();
  readonly #inFlight = new InFlight();
  #started = 0;

  constructor(registry: CoreRegistry, logger: HostLogger) {
    this.#registry = registry;
    this.#logger = logger;
  }

  /** Supplies values for every non-trigger input binding of `bindingType` (matched case-insensitively). */
  registerInputProvider(bindingType: string, provider: InputBindingProvider): void {
    this.#providers.set(bindingType.toLowerCase(), provider);
  }

  /** Handles every output binding of `bindingType` (matched case-insensitively, `$return` included). */
  registerOutputHandler(bindingType: string, handler: OutputBindingHandler): void {
    this.#outputHandlers.set(bindingType.toLowerCase(), handler);
  }

  hasInputProvider(bindingType: string): boolean {
    return this.#providers.has(bindingType.toLowerCase());
  }

  /** Invocations started since the host started. */
  get started(): number {
    return this.#started;
  }

  get inFlight(): number {
    return this.#inFlight.count;
  }

  /** Resolves when no invocation is running. */
  whenIdle(): Promise<void> {
    return this.#inFlight.whenIdle();
  }

  async invoke(fn: RegisteredFunction, request: InvocationRequest): Promise<InvocationResult> {
    this.#started++;
    return this.#inFlight.track(() => this.#invoke(fn, request));
  }

  #inputData(fn: RegisteredFunction, request: InvocationRequest): Array<{ name: string; data: RpcTypedData }> {
    const inputData = [{ name: fn.triggerName, data: request.triggerData }];
    for (const [name, binding] of Object.entries(fn.bindings)) {
      if (name === fn.triggerName || binding.direction !== 'in') continue;
      const provider = this.#providers.get(binding.type.toLowerCase());
      if (provider) {
        inputData.push({ name, data: provider(fn, name, binding) });
      } else if (!this.#warnedBindings.has(`${fn.name}/${name}`)) {
        this.#warnedBindings.add(`${fn.name}/${name}`);
        this.#logger.warn(`input binding "${name}" (${binding.type}) is not supported by the embedded host; it stays undefined`, fn.name);
      }
    }
    return inputData;
  }

  async #invoke(fn: RegisteredFunction, request: InvocationRequest): Promise<InvocationResult> {
    const registration = this.#registry.findByName(fn.name);
    if (!registration) throw new Error(`Function "${fn.name}" is not registered with this host.`);
    const model = getProgrammingModel();
    if (!model) throw new Error('The app registered no programming model; does it use @azure/functions v4?');

    const invocationId = randomUUID();
    // The log callback exists before the library's InvocationContext does; log hooks want the latter.
    const current: { context?: unknown } = {};
    const coreCtx: CoreInvocationContext = {
      invocationId,
      request: {
        invocationId,
        functionId: fn.name,
        inputData: this.#inputData(fn, request),
        triggerMetadata: request.triggerMetadata ?? {},
      },
      metadata: { name: fn.name, bindings: fn.bindings },
      log: (level, category, message) => this.#log(fn.name, level, category, message, current.context),
    };

    const invocationModel = await model.getInvocationModel(coreCtx);
    const { context, inputs: initialInputs } = await invocationModel.getArguments();
    current.context = context;
    const hookData: Record<string, unknown> = {};
    const appHookData = this.#registry.appHookData;

    const pre = { hookData, appHookData, invocationContext: context, inputs: initialInputs, functionCallback: registration.callback as FunctionCallback };
    coreCtx.state = 'preInvocationHooks';
    try {
      await this.#registry.runHooks('preInvocation', pre);
    } finally {
      coreCtx.state = undefined;
    }

    const post: { hookData: unknown; appHookData: unknown; invocationContext: unknown; inputs: unknown[]; result: unknown; error: unknown } = {
      hookData,
      appHookData,
      invocationContext: context,
      inputs: pre.inputs,
      result: null,
      error: null,
    };
    coreCtx.state = 'invocation';
    try {
      post.result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback);
    } catch (err) {
      post.error = err;
    } finally {
      coreCtx.state = undefined;
    }

    coreCtx.state = 'postInvocationHooks';
    try {
      await this.#registry.runHooks('postInvocation', post);
    } finally {
      coreCtx.state = undefined;
    }
    if (post.error !== null && post.error !== undefined) {
      throw post.error instanceof Error ? post.error : new Error(format(post.error));
    }

    const response = await invocationModel.getResponse(context, post.result);
    const outputData: InvocationResult['outputData'] = [];
    for (const item of response.outputData ?? []) {
      if (item.name && item.data) outputData.push({ name: item.name, data: item.data });
    }
    const returnValue = response.returnValue ?? null;
    await this.#deliverOutputs(fn, outputData, returnValue);
    return { returnValue, outputData };
  }

  async #deliverOutputs(fn: RegisteredFunction, outputData: InvocationResult['outputData'], returnValue: RpcTypedData | null): Promise<void> {
    const items = [...outputData];
    if (returnValue && fn.bindings.$return) items.push({ name: '$return', data: returnValue });
    for (const { name, data } of items) {
      const binding = fn.bindings[name];
      const handler = binding && this.#outputHandlers.get(binding.type.toLowerCase());
      if (binding && handler) await handler(fn, name, binding, data);
    }
  }

  #log(functionName: string, level: WorkerLogLevel, category: WorkerLogCategory, message: string, invocationContext: unknown): void {
    const hostLevel = fromWorkerLevel(level);
    if (hostLevel) {
      // The library's own chatter (system category) is only interesting when something is wrong.
      const effective = category === 'system' && hostLevel === 'info' ? 'debug' : hostLevel;
      this.#logger.log(effective, message, functionName);
    }
    const hooks = this.#registry.getHooks('log');
    if (hooks.length === 0) return;
    const logContext = { hookData: {}, appHookData: this.#registry.appHookData, level, category, message, invocationContext };
    const report = (err: unknown): void => this.#logger.warn(`a log hook failed: ${String(err)}`, functionName);
    for (const hook of hooks) {
      try {
        const result = hook(logContext);
        if (result instanceof Promise) result.catch(report);
      } catch (err) {
        report(err);
      }
    }
  }
}
