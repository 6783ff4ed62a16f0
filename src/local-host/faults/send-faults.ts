/**
 * Faults on a send to the embedded broker, as a sender sees them on Service Bus: the send is refused before
 * the message is enqueued (`sendFailure`), or the message is enqueued and the answer is lost
 * (`sendAppliedThenFails`). The sender gets a 503 either way and cannot tell which happened.
 */
import { HttpProblemError } from '../problem';
import { bodyDigest, type FaultInjector } from './fault-injector';

export class InjectedSendFault extends HttpProblemError {
  constructor(
    readonly entity: string,
    readonly applied: boolean,
  ) {
    super({
      status: 503,
      title: 'Service Unavailable',
      detail: `Injected fault: the send to "${entity}" ${applied ? 'was applied but its answer was lost' : 'failed before the message was enqueued'}.`,
      headers: { 'retry-after': '1' },
    });
    this.name = 'InjectedSendFault';
  }
}

export interface SendFaultDecision {
  /** Throw this before enqueuing. */
  before?: InjectedSendFault;
  /** Throw this after enqueuing. */
  after?: InjectedSendFault;
}

/** One decision per send call: keyed by the entity and the messages' ids (or body digests). */
export function decideSendFault(faults: FaultInjector, entity: string, messages: ReadonlyArray<{ messageId?: string; body: Buffer }>): SendFaultDecision {
  if (!faults.active('sendFailure') && !faults.active('sendAppliedThenFails')) return {};
  const key = `${entity.toLowerCase()}|${messages.map((m) => m.messageId ?? bodyDigest(m.body)).join(',')}`;
  if (faults.decide('sendFailure', key)) return { before: new InjectedSendFault(entity, false) };
  if (faults.decide('sendAppliedThenFails', key)) return { after: new InjectedSendFault(entity, true) };
  return {};
}
