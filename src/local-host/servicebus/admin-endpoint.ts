/**
 * `/admin/servicebus`: what is in the embedded broker, the dead-letter queues, and resubmitting a
 * dead-lettered message. JSON only; meant for people and tests, not for apps. A listing shows the first
 * `?top=` messages (default 1,000, at most 10,000), so a large backlog is not read into memory whole.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRouteHandler } from '../contracts';
import { decodePathPart, sendJson, sendProblem } from '../problem';
import type { ServiceBusBroker } from './broker';
import { jsonNestingDepth, maxJsonDepth } from '../json-depth';
import type { BrokerMessage } from './message';

export const adminPathPrefix = '/admin/servicebus';
const defaultTop = 1_000;
const maxTop = 10_000;

/** `?top=N`: how many messages a listing shows. */
function topOf(url: URL): number | undefined {
  const value = url.searchParams.get('top');
  if (value === null) return defaultTop;
  const top = /^\d+$/.test(value) ? Number(value) : NaN;
  return top >= 1 && top <= maxTop ? top : undefined;
}

function describeBody(message: BrokerMessage): unknown {
  const text = message.body.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(message.body)) return { base64: message.body.toString('base64') };
  // A body too deep to serialise again (an output binding does not pass the send endpoint's check) is shown
  // as the text it is; one such message must not break the listing for good.
  if (jsonNestingDepth(text) > maxJsonDepth) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function describeMessage(message: BrokerMessage): Record<string, unknown> {
  return {
    sequenceNumber: message.sequenceNumber,
    messageId: message.messageId,
    deliveryCount: message.deliveryCount,
    enqueuedTimeUtc: message.enqueuedTimeUtc.toISOString(),
    expiresAtUtc: message.expiresAtUtc.toISOString(),
    contentType: message.contentType ?? null,
    subject: message.subject ?? null,
    correlationId: message.correlationId ?? null,
    sessionId: message.sessionId ?? null,
    applicationProperties: message.applicationProperties,
    deadLetterReason: message.deadLetterReason ?? null,
    deadLetterErrorDescription: message.deadLetterErrorDescription ?? null,
    deadLetterSource: message.deadLetterSource ?? null,
    body: describeBody(message),
  };
}

export class ServiceBusAdminEndpoint implements HttpRouteHandler {
  constructor(private readonly broker: ServiceBusBroker) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== adminPathPrefix && !path.startsWith(`${adminPathPrefix}/`)) return false;
    const method = req.method ?? 'GET';
    const rest = decodePathPart(path.slice(adminPathPrefix.length + 1));

    if (path === adminPathPrefix) {
      if (method !== 'GET') return this.#methodNotAllowed(res, 'GET');
      sendJson(res, 200, { entities: this.broker.entities() });
      return true;
    }
    const resubmit = /^(.+)\/deadletter\/(\d+)\/resubmit$/.exec(rest);
    if (resubmit) {
      if (method !== 'POST') return this.#methodNotAllowed(res, 'POST');
      const entity = resubmit[1] as string;
      if (!this.broker.store(entity)) return this.#unknownEntity(res, entity);
      const result = this.broker.resubmit(entity, Number(resubmit[2]));
      if (!result) {
        sendProblem(res, { status: 404, detail: `No dead-lettered message #${resubmit[2]} in ${entity}.` });
        return true;
      }
      sendJson(res, 200, { resubmitted: result });
      return true;
    }
    const list = /^(.+)\/(deadletter|messages)$/.exec(rest);
    if (list) {
      if (method !== 'GET') return this.#methodNotAllowed(res, 'GET');
      const entity = list[1] as string;
      const store = this.broker.store(entity);
      if (!store) return this.#unknownEntity(res, entity);
      const top = topOf(url);
      if (top === undefined) {
        sendProblem(res, { status: 400, title: 'Bad Request', detail: `top must be a whole number from 1 to ${maxTop}.` });
        return true;
      }
      const messages = list[2] === 'deadletter' ? store.deadLetters(top) : store.activeMessages(top);
      sendJson(res, 200, { entity: store.path, messages: messages.map(describeMessage) });
      return true;
    }
    sendProblem(res, { status: 404, detail: `No admin endpoint at ${url.pathname}.` });
    return true;
  }

  #methodNotAllowed(res: ServerResponse, allow: string): true {
    sendProblem(res, { status: 405, detail: `Use ${allow} here.`, headers: { allow } });
    return true;
  }

  #unknownEntity(res: ServerResponse, entity: string): true {
    sendProblem(res, { status: 404, title: 'Entity not found', detail: `No queue or subscription "${entity}" in the embedded broker.` });
    return true;
  }
}
