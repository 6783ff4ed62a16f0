/**
 * Host-side retries for CallActivityWithRetry / CallSubOrchestratorWithRetry. DF sends the options once and
 * the extension retries (DTFx RetryInterceptor.cs, EXT RetryOptions.cs / RetryOptionsConverter.cs).
 */

export interface RetryPolicy {
  firstRetryIntervalMs: number;
  maxNumberOfAttempts: number;
  backoffCoefficient: number;
  maxRetryIntervalMs: number;
  /** Counted from the first attempt; Infinity when unset. */
  retryTimeoutMs: number;
}

/** The extension's default cap on a single retry delay. */
const defaultMaxRetryIntervalMs = 6 * 24 * 60 * 60 * 1000;

function numberField(raw: Record<string, unknown>, name: string): number | undefined {
  const value = raw[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function readRetryPolicy(raw: unknown): RetryPolicy {
  const options = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const first = numberField(options, 'firstRetryIntervalInMilliseconds');
  const attempts = numberField(options, 'maxNumberOfAttempts');
  if (first === undefined || attempts === undefined) {
    throw new Error('retryOptions must contain firstRetryIntervalInMilliseconds and maxNumberOfAttempts');
  }
  return {
    firstRetryIntervalMs: first,
    // DF's RetryableTask always makes the first attempt, so fewer than one behaves as one.
    maxNumberOfAttempts: Math.max(1, Math.trunc(attempts)),
    backoffCoefficient: numberField(options, 'backoffCoefficient') ?? 1,
    maxRetryIntervalMs: numberField(options, 'maxRetryIntervalInMilliseconds') ?? defaultMaxRetryIntervalMs,
    retryTimeoutMs: numberField(options, 'retryTimeoutInMilliseconds') ?? Number.POSITIVE_INFINITY,
  };
}

export interface RetryDelay {
  delayMs: number;
  /** retryTimeout has passed: DTFx stops retrying (its delay becomes zero). */
  expired: boolean;
}

/**
 * The wait after failed attempt `failedAttemptIndex` (0-based), as DTFx ComputeNextDelay computes it:
 * firstRetryInterval × backoffCoefficient^index, capped at maxRetryInterval, zero once retryTimeout passed.
 */
export function nextRetryDelay(policy: RetryPolicy, failedAttemptIndex: number, firstAttemptAt: Date, now: Date): RetryDelay {
  const expiresAt = firstAttemptAt.getTime() + policy.retryTimeoutMs;
  if (!(now.getTime() < expiresAt)) return { delayMs: 0, expired: true };
  const delay = policy.firstRetryIntervalMs * Math.pow(policy.backoffCoefficient, failedAttemptIndex);
  return { delayMs: delay < policy.maxRetryIntervalMs ? delay : policy.maxRetryIntervalMs, expired: false };
}
