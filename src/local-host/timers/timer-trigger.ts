/**
 * Runs one timer trigger on the host clock: never two invocations of the same timer at once (the host's
 * singleton lock), one catch-up invocation flagged `IsPastDue` when occurrences were missed, and an optional
 * invocation at start-up (`runOnStartup`).
 */
import type { FunctionInvoker, HostClock, HostService, RegisteredFunction } from '../contracts';
import { resolveSettingReferences } from '../env-scope';
import { errorMessage, type HostLogger } from '../logger';
import { parseSchedule, type Schedule } from './ncrontab';

export function isTimerTrigger(fn: RegisteredFunction): boolean {
  return fn.trigger.type.toLowerCase() === 'timertrigger';
}

/** The schedule text after `%Setting%` indirection. */
export function scheduleTextOf(fn: RegisteredFunction): string {
  const raw = fn.trigger.schedule;
  if (typeof raw !== 'string' || raw.trim() === '') throw new Error(`Timer trigger "${fn.name}" has no schedule.`);
  const resolved = resolveSettingReferences(raw.trim());
  if (/%[^%]+%/.test(resolved)) throw new Error(`Timer trigger "${fn.name}": the app setting in "${raw}" is not set.`);
  return resolved;
}

/** The timer value as the Functions host sends it (PascalCase; the library camel-cases it). */
export function timerPayload(isPastDue: boolean, last: Date, next: Date, now: Date): string {
  return JSON.stringify({
    Schedule: { AdjustForDST: true },
    ScheduleStatus: { Last: last.toISOString(), Next: next.toISOString(), LastUpdated: now.toISOString() },
    IsPastDue: isPastDue,
  });
}

export interface TimerTriggerOptions {
  fn: RegisteredFunction;
  invoker: FunctionInvoker;
  clock: HostClock;
  logger: HostLogger;
}

/** A missed occurrence counts as past due only beyond this slack (timers never fire to the millisecond). */
const pastDueSlackMs = 1000;

export class TimerTriggerService implements HostService {
  readonly schedule: Schedule;
  readonly runOnStartup: boolean;
  readonly #options: TimerTriggerOptions;
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #invocations = 0;

  constructor(options: TimerTriggerOptions) {
    this.#options = options;
    this.schedule = parseSchedule(scheduleTextOf(options.fn));
    this.runOnStartup = options.fn.trigger.runOnStartup === true;
  }

  get invocations(): number {
    return this.#invocations;
  }

  async start(): Promise<void> {
    this.#loop = this.#run();
  }

  async drain(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { clock } = this.#options;
    const startedAt = clock.now();
    let last = startedAt;
    if (this.runOnStartup) {
      await this.#invoke(false, last, this.schedule.next(startedAt));
    }
    let due = this.schedule.next(startedAt);
    while (!this.#abort.signal.aborted) {
      try {
        await clock.sleepUntil(due, this.#abort.signal);
      } catch {
        return;
      }
      if (this.#abort.signal.aborted) return;
      const now = clock.now();
      // Collapse missed occurrences into one late invocation, as the Functions host does.
      let skipped = false;
      for (let following = this.schedule.next(due); following.getTime() <= now.getTime(); following = this.schedule.next(due)) {
        due = following;
        skipped = true;
      }
      const isPastDue = skipped || now.getTime() - due.getTime() > pastDueSlackMs;
      const next = this.schedule.next(due);
      await this.#invoke(isPastDue, last, next);
      last = due;
      due = next;
    }
  }

  async #invoke(isPastDue: boolean, last: Date, next: Date): Promise<void> {
    const { fn, invoker, clock, logger } = this.#options;
    this.#invocations++;
    try {
      await invoker.invoke(fn, { triggerData: { json: timerPayload(isPastDue, last, next, clock.now()) } });
    } catch (err) {
      logger.error(`timer invocation failed: ${errorMessage(err)}`, fn.name);
    }
  }
}
