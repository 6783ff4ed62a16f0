import { COMPENSATION_RETRY, type RetryPolicy } from '../domain';

/** Saving the saga record is retried as hard as a compensation: a lost record leaves the order unexplained. */
export const SAGA_RECORD_RETRY: RetryPolicy = COMPENSATION_RETRY;
