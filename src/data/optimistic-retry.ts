import { TransientFault } from '../domain';
import { isPreconditionFailed } from './cosmos-errors';

export interface OptimisticRetryOptions {
  /** Each lost race costs one read and one failed replace; past this the caller's own retry takes over. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Gives up once this much time has passed since the first attempt, whatever `maxAttempts` allows. */
  budgetMs?: number;
}

export const DEFAULT_OPTIMISTIC_RETRY: OptimisticRetryOptions = { maxAttempts: 30, baseDelayMs: 2, maxDelayMs: 100 };

/** Thrown inside an attempt when a concurrent writer got there first in a way Cosmos did not report as 412. */
export class LostRace extends Error {
  override readonly name = 'LostRace';
}

const isLostRace = (error: unknown): boolean => error instanceof LostRace || isPreconditionFailed(error);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Repeats a read-modify-replace while its If-Match replace loses to a concurrent writer (412, or LostRace when two
 * writers race to create the same document). Full jitter spreads the losers out so they do not collide again
 * in lock step.
 */
export async function retryOnLostRace<T>(
  what: string,
  attempt: () => Promise<T>,
  options: OptimisticRetryOptions = DEFAULT_OPTIMISTIC_RETRY,
): Promise<T> {
  const started = Date.now();
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!isLostRace(error)) throw error;
      const outOfTime = options.budgetMs !== undefined && Date.now() - started >= options.budgetMs;
      if (attemptNumber >= options.maxAttempts || outOfTime) {
        throw new TransientFault(`${what}: lost ${attemptNumber} concurrent-update races in a row`, { cause: error });
      }
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attemptNumber);
      await sleep(Math.random() * ceiling);
    }
  }
}
