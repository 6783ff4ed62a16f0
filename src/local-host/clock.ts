/**
 * Host clocks. The real clock sleeps with timers. The virtual clock stands still and, whenever the host is
 * idle and something sleeps, jumps straight to the earliest wake-up, so tests of long timers (durable timers,
 * retries, cron schedules) finish in milliseconds.
 */
import type { HostClock } from './contracts';

/** The longest delay setTimeout accepts; longer sleeps are done in steps. */
const maxTimeoutMs = 2_147_483_647;

function abortError(): Error {
  const err = new Error('The sleep was aborted.');
  err.name = 'AbortError';
  return err;
}

export const realClock: HostClock = {
  now: () => new Date(),
  sleepUntil(at: Date, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        if (timer) clearTimeout(timer);
        reject(abortError());
      };
      const arm = (): void => {
        const remaining = at.getTime() - Date.now();
        if (remaining <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
          return;
        }
        timer = setTimeout(arm, Math.min(remaining, maxTimeoutMs));
        // A pending sleep alone must not keep a stopped host's process alive.
        timer.unref();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      arm();
    });
  },
};

export interface VirtualClock extends HostClock {
  readonly virtual: true;
  /** Moves time forward and wakes every sleeper that is due. */
  advanceTo(at: Date): void;
  advanceBy(ms: number): void;
  /** The earliest pending wake-up, if any. */
  nextWakeUp(): Date | undefined;
  /** How the clock tells that the host is idle (the host installs one; the default is "always idle"). */
  setIdleProbe(probe: () => boolean): void;
  /** Stops jumping on its own (manual advanceTo still works). */
  pause(): void;
  resume(): void;
}

export interface VirtualClockOptions {
  start?: Date;
  /** Real milliseconds between idle checks. */
  checkIntervalMs?: number;
  /** Consecutive idle checks required before a jump, so that work between two awaits is not mistaken for idleness. */
  idleChecks?: number;
}

interface Sleeper {
  at: number;
  resolve: () => void;
  reject: (err: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  let now = (options.start ?? new Date()).getTime();
  const checkIntervalMs = options.checkIntervalMs ?? 5;
  const idleChecksNeeded = options.idleChecks ?? 3;
  let sleepers: Sleeper[] = [];
  let probe: () => boolean = () => true;
  let paused = false;
  let timer: NodeJS.Timeout | undefined;
  let idleChecks = 0;

  const wakeDue = (): void => {
    const due = sleepers.filter((s) => s.at <= now);
    if (due.length === 0) return;
    sleepers = sleepers.filter((s) => s.at > now);
    for (const s of due.sort((a, b) => a.at - b.at)) {
      s.signal?.removeEventListener('abort', s.onAbort);
      s.resolve();
    }
  };

  const schedule = (): void => {
    if (timer || paused || sleepers.length === 0) return;
    timer = setTimeout(check, checkIntervalMs);
    timer.unref();
  };

  const check = (): void => {
    timer = undefined;
    if (paused || sleepers.length === 0) {
      idleChecks = 0;
      return;
    }
    idleChecks = probe() ? idleChecks + 1 : 0;
    if (idleChecks >= idleChecksNeeded) {
      idleChecks = 0;
      const earliest = Math.min(...sleepers.map((s) => s.at));
      if (earliest > now) now = earliest;
      wakeDue();
    }
    schedule();
  };

  const clock: VirtualClock = {
    virtual: true,
    now: () => new Date(now),
    sleepUntil(at: Date, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.reject(abortError());
      if (at.getTime() <= now) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const sleeper: Sleeper = {
          at: at.getTime(),
          resolve,
          reject,
          signal,
          onAbort: () => {
            sleepers = sleepers.filter((s) => s !== sleeper);
            reject(abortError());
          },
        };
        signal?.addEventListener('abort', sleeper.onAbort, { once: true });
        sleepers.push(sleeper);
        schedule();
      });
    },
    advanceTo(at: Date): void {
      if (at.getTime() > now) now = at.getTime();
      wakeDue();
    },
    advanceBy(ms: number): void {
      clock.advanceTo(new Date(now + ms));
    },
    nextWakeUp(): Date | undefined {
      return sleepers.length === 0 ? undefined : new Date(Math.min(...sleepers.map((s) => s.at)));
    },
    setIdleProbe(p: () => boolean): void {
      probe = p;
    },
    pause(): void {
      paused = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    resume(): void {
      paused = false;
      schedule();
    },
  };
  return clock;
}

export function isVirtualClock(clock: HostClock): clock is VirtualClock {
  return (clock as Partial<VirtualClock>).virtual === true;
}
