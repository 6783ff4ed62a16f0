/**
 * The status JSON of the HTTP API (EXT HttpApiHandler.ConvertFrom / StatusResponsePayload.cs) and its
 * `historyEvents` projection (EXT ContextImplementations/DurableClient.cs GetDurableOrchestrationStatusAsync).
 */
import { EventType, OrchestrationStatusCode, type HistoryEvent } from './history';
import type { InstanceSummary } from './instance-store';
import { toStatusTime } from './time-format';
import { parseLenient } from './typed-data';

export interface StatusOptions {
  showHistory?: boolean;
  showHistoryOutput?: boolean;
  /** Defaults to true, as in the extension. */
  showInput?: boolean;
}

export interface StatusPayload {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Array<Record<string, unknown>>;
}

/** `record.history` is needed only with showHistory (a finished instance's summary comes without it). */
export function statusPayload(record: InstanceSummary & { history?: HistoryEvent[] }, options: StatusOptions = {}): StatusPayload {
  // DF's DurableOrchestrationStatus requires input and output to be present, so absent values are null.
  const payload: StatusPayload = {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.runtimeStatus,
    input: options.showInput === false ? null : parseLenient(record.input),
    customStatus: parseLenient(record.customStatus),
    output: parseLenient(record.output),
    createdTime: toStatusTime(record.createdTime),
    lastUpdatedTime: toStatusTime(record.lastUpdatedTime),
  };
  if (options.showHistory && record.runtimeStatus !== 'Pending') {
    payload.historyEvents = historyEvents(record.history ?? [], options.showHistoryOutput === true);
  }
  return payload;
}

interface ScheduledInfo {
  index: number;
  name: unknown;
  timestamp: unknown;
}

/**
 * Readable history: EventType as text, orchestrator start/complete markers dropped, and each completion
 * merged with its TaskScheduled / SubOrchestrationInstanceCreated (which then disappears) as FunctionName
 * and ScheduledTime. Results appear only with showHistoryOutput.
 */
export function historyEvents(events: readonly HistoryEvent[], showHistoryOutput: boolean): Array<Record<string, unknown>> {
  const items = events.map((event) => ({ ...event }) as Record<string, unknown>);
  const scheduled = new Map<string, ScheduledInfo>();
  const drop = new Set<number>();

  const mergeScheduled = (item: Record<string, unknown>, prefix: string): void => {
    const info = scheduled.get(`${prefix}_${String(item.TaskScheduledId)}`);
    if (!info) return;
    item.ScheduledTime = info.timestamp;
    item.FunctionName = info.name;
    drop.add(info.index);
  };

  items.forEach((item, index) => {
    const type = item.EventType as EventType;
    item.EventType = EventType[type] ?? type;
    switch (type) {
      case EventType.TaskScheduled:
      case EventType.SubOrchestrationInstanceCreated:
        scheduled.set(`${EventType[type]}_${String(item.EventId)}`, { index, name: item.Name, timestamp: item.Timestamp });
        delete item.Version;
        delete item.Input;
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed: {
        const isTask = type === EventType.TaskCompleted || type === EventType.TaskFailed;
        mergeScheduled(item, isTask ? 'TaskScheduled' : 'SubOrchestrationInstanceCreated');
        delete item.TaskScheduledId;
        const completed = type === EventType.TaskCompleted || type === EventType.SubOrchestrationInstanceCompleted;
        if (completed) {
          if (showHistoryOutput) item.Result = parseLenient(item.Result as string | null);
          else delete item.Result;
        }
        break;
      }
      case EventType.ExecutionStarted:
        item.FunctionName = item.Name;
        delete item.Name;
        delete item.OrchestrationInstance;
        delete item.ParentInstance;
        delete item.Version;
        delete item.Tags;
        delete item.Input;
        break;
      case EventType.ExecutionCompleted:
        item.OrchestrationStatus = OrchestrationStatusCode[item.OrchestrationStatus as OrchestrationStatusCode] ?? item.OrchestrationStatus;
        if (showHistoryOutput) item.Result = parseLenient(item.Result as string | null);
        else delete item.Result;
        break;
      case EventType.ExecutionTerminated:
        delete item.Input;
        break;
      case EventType.TimerFired:
        delete item.TimerId;
        break;
      case EventType.EventRaised:
        delete item.Input;
        break;
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        drop.add(index);
        break;
      default:
        break;
    }
    delete item.EventId;
    delete item.IsPlayed;
  });
  return items.filter((_, index) => !drop.has(index));
}
