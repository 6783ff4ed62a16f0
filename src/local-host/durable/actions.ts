/**
 * The orchestrator's answer: DF's OrchestratorState with its action tree (DF orchestrations/OrchestratorState.ts,
 * actions/ActionType.ts). Replay schema V3 nests Task.all / Task.any as compound actions; the host numbers the
 * leaves depth-first, exactly as DF's trackOpenTask does.
 */
import type { FailureDetailsPayload } from './history';

export enum ActionType {
  CallActivity = 0,
  CallActivityWithRetry = 1,
  CallSubOrchestrator = 2,
  CallSubOrchestratorWithRetry = 3,
  ContinueAsNew = 4,
  CreateTimer = 5,
  WaitForExternalEvent = 6,
  CallEntity = 7,
  CallHttp = 8,
  SignalEntity = 9,
  ScheduledSignalEntity = 10,
  WhenAny = 11,
  WhenAll = 12,
  LockEntities = 13,
  ReleaseEntities = 14,
}

export interface OrchestratorAction {
  actionType: ActionType;
  functionName?: string;
  input?: unknown;
  retryOptions?: unknown;
  instanceId?: string;
  version?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: OrchestratorAction[];
  [field: string]: unknown;
}

export interface OrchestratorState {
  isDone: boolean;
  actions: OrchestratorAction[][];
  output?: unknown;
  customStatus?: unknown;
  error?: string;
  failureDetails?: FailureDetailsPayload;
  schemaVersion?: number;
}

/** Leaves of the action tree in DF's numbering order (compound actions contribute only their children). */
export function flattenActions(state: OrchestratorState): OrchestratorAction[] {
  const flat: OrchestratorAction[] = [];
  const visit = (action: OrchestratorAction): void => {
    if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) {
      for (const child of action.compoundActions ?? []) visit(child);
    } else {
      flat.push(action);
    }
  };
  // The extension requires a single outer list (one "turn" per V2+ replay).
  for (const group of state.actions) for (const action of group) visit(action);
  return flat;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates the parsed JSON of a returned OrchestratorState. */
export function asOrchestratorState(value: unknown): OrchestratorState {
  if (!isObject(value) || typeof value.isDone !== 'boolean' || !Array.isArray(value.actions)) {
    throw new Error(`The orchestrator returned something that is not an OrchestratorState: ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return value as unknown as OrchestratorState;
}
