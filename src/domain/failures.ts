/** The outcome of a forward step: a business failure is a value, never an exception, so it is not retried. */
export type StepResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export function succeeded<T>(value: T): StepResult<T> {
  return { ok: true, value };
}

export function businessFailure<T = never>(reason: string): StepResult<T> {
  return { ok: false, reason };
}

/** Thrown for a fault that may pass (throttling, unavailability): the caller retries it. */
export class TransientFault extends Error {
  override readonly name = 'TransientFault';
}

/** The `simulateFailure: "refund"` demo: RefundPayment fails on every attempt. */
export class SimulatedCompensationFault extends Error {
  override readonly name = 'SimulatedCompensationFault';
}
