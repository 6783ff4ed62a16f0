/**
 * Durable timers on the host clock. With a real clock they wait in real time; with a virtual clock the
 * clock decides when `sleepUntil` returns (tests jump straight to the next fire time).
 */
import type { HostClock } from '../contracts';

/**
 * Longest single wait handed to the clock. Node's setTimeout fires at once for delays above 2^31-1 ms
 * (about 24.8 days), so long timers are waited for in slices.
 */
const maxSliceMs = 20 * 24 * 60 * 60 * 1000;

export class DurableTimers {
  readonly #clock: HostClock;
  readonly #log: (level: 'warn' | 'error', message: string) => void;
  readonly #active = new Map<string, AbortController>();

  constructor(clock: HostClock, log: (level: 'warn' | 'error', message: string) => void) {
    this.#clock = clock;
    this.#log = log;
  }

  get pending(): number {
    return this.#active.size;
  }

  /** Calls `onFire` once `fireAt` is reached, unless cancelled first. `key` must be unique. */
  schedule(key: string, fireAt: Date, onFire: () => void): void {
    this.cancel(key);
    const controller = new AbortController();
    this.#active.set(key, controller);
    void this.#wait(fireAt, controller.signal).then(
      () => {
        if (controller.signal.aborted || this.#active.get(key) !== controller) return;
        this.#active.delete(key);
        onFire();
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        this.#active.delete(key);
        this.#log('error', `durable timer ${key} failed: ${String(err)}`);
      },
    );
  }

  cancel(key: string): void {
    const controller = this.#active.get(key);
    if (!controller) return;
    this.#active.delete(key);
    controller.abort();
  }

  /** Cancels every timer whose key starts with `prefix`. */
  cancelPrefix(prefix: string): void {
    for (const key of [...this.#active.keys()]) if (key.startsWith(prefix)) this.cancel(key);
  }

  cancelAll(): void {
    for (const key of [...this.#active.keys()]) this.cancel(key);
  }

  async #wait(fireAt: Date, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const now = this.#clock.now().getTime();
      if (now >= fireAt.getTime()) return;
      const sliceEnd = new Date(Math.min(fireAt.getTime(), now + maxSliceMs));
      try {
        await this.#clock.sleepUntil(sliceEnd, signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
    }
  }
}
