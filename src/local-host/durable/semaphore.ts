/** Bounds how many activities or orchestrator episodes run at once; waiters are served in arrival order. */
export class Semaphore {
  #available: number;
  readonly #waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`A concurrency limit must be at least 1 (got ${limit}).`);
    this.#available = Math.floor(limit);
  }

  get inUse(): number {
    return this.limit - this.#available;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#available > 0) {
      this.#available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(): void {
    const next = this.#waiters.shift();
    // The slot passes straight to the next waiter, so a late arrival cannot overtake it.
    if (next) next();
    else this.#available++;
  }
}
