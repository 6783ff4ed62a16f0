/**
 * How failures cross the wire. An orchestrator that throws hands its state back inside the error message
 * (DF error/OrchestrationFailureError.ts); a failed activity becomes a TaskFailed the way the extension's
 * TaskActivityShim reports it.
 */
import { asOrchestratorState, type OrchestratorState } from './actions';
import type { FailureDetailsPayload, TaskFailure } from './history';

const outOfProcDataLabel = '\n\n$OutOfProcData$:';

export interface OrchestratorFailure {
  /** The user-facing error text (DF's `state.error`; the message prefix is literally "false"). */
  error: string;
  state?: OrchestratorState;
  failureDetails?: FailureDetailsPayload;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/** Reads the state DF embedded in a thrown OrchestrationFailureError; other errors are plain crashes. */
export function readOrchestratorFailure(err: unknown): OrchestratorFailure {
  const message = errorMessage(err);
  const at = message.indexOf(outOfProcDataLabel);
  if (at < 0) return { error: message };
  try {
    const state = asOrchestratorState(JSON.parse(message.slice(at + outOfProcDataLabel.length)));
    const failure: OrchestratorFailure = { error: state.error ?? message.slice(0, at), state };
    if (state.failureDetails) failure.failureDetails = state.failureDetails;
    return failure;
  } catch {
    return { error: message.slice(0, at) };
  }
}

/** The output text of a Failed instance (EXT Listener/TaskOrchestrationShim.cs). */
export function orchestratorFailureOutput(orchestratorName: string, error: string): string {
  return `Orchestrator function '${orchestratorName}' failed: ${error}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * With `df.app.setExceptionPropertiesProvider`, DF's wrapActivityHandler replaces the error message with
 * JSON (`errorType`, `errorMessage`, `isNonRetriable`, `properties`, `stackTrace`); the extension forwards it
 * as FailureDetails so the orchestrator gets a TaskFailedError with those properties.
 */
export function parseExceptionPropertiesJson(message: string): FailureDetailsPayload | undefined {
  if (!message.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed.errorType !== 'string' || typeof parsed.errorMessage !== 'string') return undefined;
  return {
    ErrorType: parsed.errorType,
    ErrorMessage: parsed.errorMessage,
    StackTrace: typeof parsed.stackTrace === 'string' ? parsed.stackTrace : null,
    IsNonRetriable: parsed.isNonRetriable === true,
    Properties: isRecord(parsed.properties) ? parsed.properties : null,
    InnerFailure: null,
  };
}

/**
 * `Reason` is the extension's "Activity function '<name>' failed: <message>"; `Details` carries the stack
 * (DF shows `Reason \n Details` as the error message when there are no FailureDetails).
 */
export function activityFailure(activityName: string, err: unknown): TaskFailure {
  const message = errorMessage(err);
  const details = parseExceptionPropertiesJson(message);
  if (details) {
    return {
      reason: `Activity function '${activityName}' failed: ${details.ErrorMessage}`,
      details: details.StackTrace ?? '',
      failureDetails: details,
    };
  }
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  return { reason: `Activity function '${activityName}' failed: ${message}`, details: stack };
}

/** What a parent sees when its sub-orchestration failed or was terminated. */
export function subOrchestrationFailure(reason: string, failureDetails?: FailureDetailsPayload): TaskFailure {
  const failure: TaskFailure = { reason, details: '' };
  if (failureDetails) failure.failureDetails = failureDetails;
  return failure;
}
