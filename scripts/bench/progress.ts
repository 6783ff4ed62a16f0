/**
 * A line every few seconds while the benchmark runs, so a long run shows it is alive and how it is doing:
 * orders sent, sagas finished, sagas still in flight, and the rate at which sagas finished since the last
 * line.
 */

export interface ProgressCounts {
  sent: number;
  completed: number;
  inFlight: number;
}

export function formatProgress(label: string, elapsedMs: number, counts: ProgressCounts, finishedPerSecond: number): string {
  const seconds = Math.round(elapsedMs / 1000);
  return `  [${label} ${String(seconds).padStart(4)} s] sent ${counts.sent}, completed ${counts.completed}, in flight ${counts.inFlight}, now ${finishedPerSecond.toFixed(1)} sagas/s`;
}

export interface ProgressOptions {
  label: string;
  intervalMs: number;
  snapshot(): ProgressCounts;
  /** Runs before each line (e.g. one pass of status checks); the line waits for it. */
  beforeTick?(): Promise<void>;
  write(line: string): void;
}

export interface Progress {
  stop(): Promise<void>;
}

/** Starts printing; an interval of 0 prints nothing. */
export function startProgress(options: ProgressOptions): Progress {
  if (options.intervalMs <= 0) return { stop: async () => undefined };
  const startedAt = Date.now();
  let last = { at: startedAt, completed: options.snapshot().completed };
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.intervalMs).unref();
      });
      if (stopped) return;
      await options.beforeTick?.();
      const now = Date.now();
      const counts = options.snapshot();
      const rate = now > last.at ? ((counts.completed - last.completed) * 1000) / (now - last.at) : 0;
      options.write(formatProgress(options.label, now - startedAt, counts, rate));
      last = { at: now, completed: counts.completed };
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
