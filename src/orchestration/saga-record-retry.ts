import { RETRY_POLICIES_V1 } from './retry-policies';

/**
 * Saving the saga record before a step or compensation is retried as hard as a compensation. When it still
 * fails, the saga does not stop: a forward step is not run (and the saga compensates), a compensation runs
 * anyway, and the next save writes the newer snapshot. (The policies of the current orchestrator version.)
 */
export const SAGA_RECORD_RETRY = RETRY_POLICIES_V1.sagaRecord;

/** The final save waits out a long outage (about 19 minutes of durable timers) before the instance fails. */
export const SAGA_FINAL_RECORD_RETRY = RETRY_POLICIES_V1.finalSagaRecord;
