import type { DurableOrchestrationStatus } from 'durable-functions';
import type { SagaStarterClient } from '../../../src/orchestration/saga-starter';

/** A Durable client whose instances have the statuses a test sets; it records every start. */
export class FakeDurableClient implements SagaStarterClient {
  readonly statuses = new Map<string, string>();
  readonly started: Array<{ instanceId?: string; input?: unknown }> = [];

  async getStatus(instanceId: string): Promise<DurableOrchestrationStatus> {
    const runtimeStatus = this.statuses.get(instanceId);
    if (runtimeStatus === undefined) throw new Error(`Durable Functions extension replied with HTTP 404 response. ${instanceId}`);
    return { instanceId, runtimeStatus } as unknown as DurableOrchestrationStatus;
  }

  async startNew(_name: string, options?: { instanceId?: string; input?: unknown }): Promise<string> {
    this.started.push({ ...options });
    return options?.instanceId ?? '';
  }
}
