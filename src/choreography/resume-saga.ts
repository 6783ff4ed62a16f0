import type { AppServices } from '../app-services';

/** What resuming a choreographed saga did, for the sweeper's log and the operator's answer. */
export interface ResumeOutcome {
  /** `none`: nothing was missing; `redriven`: an event was sent again; `refused`: the saga cannot be resumed (detail says why). */
  action: 'none' | 'redriven' | 'refused';
  detail: string;
}

/**
 * Moves a choreographed saga on when it has stopped: `stuck` when the sweeper found it in Processing with a
 * saga record older than the threshold, `operator` when someone asked to resume a CompensationFailed saga.
 * Interim: the choreography participants own this; until they re-drive events it reports what it found.
 */
export async function resumeChoreographySaga(
  services: AppServices,
  orderId: string,
  trigger: 'stuck' | 'operator',
): Promise<ResumeOutcome> {
  const order = await services.repositories.orders.get(orderId);
  if (!order) return { action: 'refused', detail: `order ${orderId} does not exist` };
  return { action: 'none', detail: `order ${orderId} is ${order.status}; re-driving (${trigger}) is not implemented yet` };
}
