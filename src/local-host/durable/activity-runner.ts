/**
 * Runs activities through the invoker with bounded concurrency and reports each outcome as the history
 * event the extension would write (EXT Bindings/ActivityTriggerAttributeBindingProvider.cs, TaskActivityShim.cs).
 */
import type { FunctionInvoker, HostClock, RegisteredFunction } from '../contracts';
import { noFaults, type FaultInjector } from '../faults/fault-injector';
import { activityFailure } from './failures';
import { FunctionCatalog, missingFunctionMessage } from './function-catalog';
import { history, type HistoryEvent } from './history';
import { Semaphore } from './semaphore';
import { returnValueToJson } from './typed-data';

export interface ActivityJob {
  instanceId: string;
  taskId: number;
  name: string;
  /** JSON text of the input the activity receives, or null. */
  input: string | null;
}

export class ActivityRunner {
  readonly #slots: Semaphore;
  #stopped = false;
  readonly #inFlight = new Set<Promise<void>>();
  /** Jobs that reached a slot after stop(); they run again on resume(). */
  #parked: Array<{ job: ActivityJob; report: (event: HistoryEvent) => void }> = [];
  invocations = 0;
  failures = 0;
  /** Activities run again after they had succeeded (the `activityRepeat` fault). */
  repeats = 0;

  constructor(
    private readonly catalog: FunctionCatalog,
    private readonly invoker: FunctionInvoker,
    private readonly clock: HostClock,
    maxConcurrent: number,
    private readonly faults: FaultInjector = noFaults,
  ) {
    this.#slots = new Semaphore(maxConcurrent);
  }

  get running(): number {
    return this.#slots.inUse;
  }

  /** Queues the activity; `report` gets its TaskCompleted or TaskFailed. Nothing starts after stop(). */
  dispatch(job: ActivityJob, report: (event: HistoryEvent) => void): void {
    const work = this.#slots.run(async () => {
      if (this.#stopped) {
        this.#parked.push({ job, report });
        return;
      }
      report(await this.#run(job));
    });
    const tracked = work.finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  async #run(job: ActivityJob): Promise<HistoryEvent> {
    const fn = this.catalog.find('activity', job.name);
    if (!fn) {
      return history.taskFailed(this.clock.now(), job.taskId, {
        reason: `Activity function '${job.name}' failed: ${missingFunctionMessage(job.name, 'activity')}`,
        details: '',
      });
    }
    const input = job.input ?? 'null';
    try {
      let result = await this.#invoke(fn, job, input);
      // At least once, as on the platform: a worker that dies after the activity ran but before its result
      // was checkpointed leaves the task to run again, with the same input; the second result is recorded.
      if (this.faults.decide('activityRepeat', `${job.instanceId}|${job.taskId}`)) {
        this.repeats++;
        result = await this.#invoke(fn, job, input);
      }
      return history.taskCompleted(this.clock.now(), job.taskId, returnValueToJson(result.returnValue));
    } catch (err) {
      this.failures++;
      return history.taskFailed(this.clock.now(), job.taskId, activityFailure(fn.name, err));
    }
  }

  #invoke(fn: RegisteredFunction, job: ActivityJob, input: string): ReturnType<FunctionInvoker['invoke']> {
    this.invocations++;
    return this.invoker.invoke(fn, {
      triggerData: { json: input },
      // As JSON typed data: the worker JSON-parses `string` metadata first, so a plain id would cost a thrown
      // and caught SyntaxError per activity (and an id like "12345" would arrive as a number).
      triggerMetadata: { instanceId: { json: JSON.stringify(job.instanceId) }, data: { json: input } },
    });
  }

  stop(): void {
    this.#stopped = true;
  }

  resume(): void {
    this.#stopped = false;
    const parked = this.#parked;
    this.#parked = [];
    for (const { job, report } of parked) this.dispatch(job, report);
  }

  /** Resolves when the activities already running have finished. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }
}
