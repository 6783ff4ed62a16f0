/**
 * Runs tasks one at a time per key, in the order they arrive; different keys run independently. Within one
 * process this turns writers of the same document into a line instead of a crowd racing on its ETag, where all
 * but one lose every round. A key's entry is dropped once its line is empty, so idle keys cost nothing.
 */
export interface PerKeyQueue {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Keys with a task running or waiting. */
  readonly busyKeys: number;
}

export function createPerKeyQueue(): PerKeyQueue {
  const tails = new Map<string, Promise<void>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(task);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    get busyKeys() {
      return tails.size;
    },
  };
}
