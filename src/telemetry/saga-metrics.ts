import { metrics, type Counter, type Histogram } from '@opentelemetry/api';
import type { SagaStatus, SagaStyle } from '../domain';
import { TELEMETRY_NAME } from './state';

export type StepOutcome = 'succeeded' | 'failed' | 'error';

interface SagaInstruments {
  started: Counter;
  completed: Counter;
  compensated: Counter;
  compensationFailed: Counter;
  stepDuration: Histogram;
}

/*
 * Instruments are created on first use from the global meter provider; with telemetry off that provider is the
 * API's no-op one, so recording costs nothing. Cached per provider so a process that starts telemetry after a
 * first use (a test) does not keep no-op instruments.
 */
let cached: { provider: unknown; instruments: SagaInstruments } | undefined;

function instruments(): SagaInstruments {
  const provider = metrics.getMeterProvider();
  if (cached?.provider === provider) return cached.instruments;
  const meter = provider.getMeter(TELEMETRY_NAME);
  const made: SagaInstruments = {
    started: meter.createCounter('saga.started', { description: 'Sagas started (orders accepted)' }),
    completed: meter.createCounter('saga.completed', { description: 'Sagas that ended with every step done' }),
    compensated: meter.createCounter('saga.compensated', { description: 'Sagas that failed a step and were compensated' }),
    compensationFailed: meter.createCounter('saga.compensation_failed', { description: 'Sagas whose compensation failed' }),
    stepDuration: meter.createHistogram('saga.step.duration', { description: 'Time one saga step invocation took', unit: 'ms' }),
  };
  cached = { provider, instruments: made };
  return made;
}

export function recordSagaStarted(sagaStyle: SagaStyle): void {
  instruments().started.add(1, { 'saga.style': sagaStyle });
}

/** Counts a saga that reached a final status; call it once per saga, when the order first shows that status. */
export function recordSagaFinished(sagaStyle: SagaStyle, status: SagaStatus): void {
  const counters = instruments();
  const counter =
    status === 'Completed' ? counters.completed : status === 'Compensated' ? counters.compensated : status === 'CompensationFailed' ? counters.compensationFailed : undefined;
  counter?.add(1, { 'saga.style': sagaStyle });
}

export function recordStepLatency(step: string, outcome: StepOutcome, milliseconds: number): void {
  instruments().stepDuration.record(milliseconds, { 'saga.step': step, 'saga.step.outcome': outcome });
}
