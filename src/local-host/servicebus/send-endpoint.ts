/**
 * `POST /servicebus/{entity}/messages`: lets an app publish to the embedded broker over plain HTTP, modelled
 * on the Service Bus REST API (body = message body, `BrokerProperties` header, and the batch form with
 * `Content-Type: application/vnd.microsoft.servicebus.json`). Custom properties travel as a JSON object in
 * `x-application-properties` (per message in a batch: `UserProperties`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRouteHandler } from '../contracts';
import { decodePathPart, HttpProblemError, sendJson, sendProblem } from '../problem';
import { readBody } from '../request-body';
import { UnknownEntityError, type ServiceBusBroker } from './broker';
import { jsonNestingDepth, maxJsonDepth } from '../json-depth';
import type { OutgoingMessage, PropertyValue } from './message';

export const sendPathPrefix = '/servicebus/';
const batchContentType = 'application/vnd.microsoft.servicebus.json';

function badRequest(detail: string): HttpProblemError {
  return new HttpProblemError({ status: 400, title: 'Bad Request', detail });
}

function parseJsonHeader(value: string | string[] | undefined, name: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest(`The ${name} header is not valid JSON.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest(`The ${name} header must be a JSON object.`);
  return parsed as Record<string, unknown>;
}

function toProperties(value: unknown, where: string): Record<string, PropertyValue> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${where} must be a JSON object.`);
  const out: Record<string, PropertyValue> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) {
      throw badRequest(`${where}.${key} must be a string, number, boolean or null.`);
    }
    out[key] = v as PropertyValue;
  }
  return out;
}

const stringProps: Array<[string, keyof OutgoingMessage]> = [
  ['MessageId', 'messageId'],
  ['Label', 'subject'],
  ['CorrelationId', 'correlationId'],
  ['SessionId', 'sessionId'],
  ['ReplyTo', 'replyTo'],
  ['ReplyToSessionId', 'replyToSessionId'],
  ['To', 'to'],
  ['ContentType', 'contentType'],
];

/** Applies REST BrokerProperties to a message; unknown properties are ignored, wrong types rejected. */
export function applyBrokerProperties(message: OutgoingMessage, props: Record<string, unknown> | undefined, where = 'BrokerProperties'): OutgoingMessage {
  if (!props) return message;
  for (const [json, key] of stringProps) {
    const value = props[json];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' && typeof value !== 'number') throw badRequest(`${where}.${json} must be a string.`);
    (message as unknown as Record<string, unknown>)[key] = String(value);
  }
  if (props.TimeToLive !== undefined && props.TimeToLive !== null) {
    const seconds = Number(props.TimeToLive);
    if (!Number.isFinite(seconds) || seconds <= 0) throw badRequest(`${where}.TimeToLive must be a positive number of seconds.`);
    message.timeToLiveMs = seconds * 1000;
  }
  if (props.ScheduledEnqueueTimeUtc !== undefined && props.ScheduledEnqueueTimeUtc !== null) {
    const at = Date.parse(String(props.ScheduledEnqueueTimeUtc));
    if (Number.isNaN(at)) throw badRequest(`${where}.ScheduledEnqueueTimeUtc is not a date.`);
    message.scheduledEnqueueTimeUtc = new Date(at);
  }
  return message;
}

/** A batch wraps each body in an array and an object, so it may nest two levels deeper than one message. */
function checkNesting(body: Buffer, allowance: number): void {
  if (jsonNestingDepth(body.toString('utf8')) > maxJsonDepth + allowance) {
    throw badRequest(`The message body nests deeper than ${maxJsonDepth} levels of arrays and objects.`);
  }
}

function singleMessage(req: IncomingMessage, body: Buffer): OutgoingMessage {
  const message: OutgoingMessage = { body, applicationProperties: toProperties(parseJsonHeader(req.headers['x-application-properties'], 'x-application-properties'), 'x-application-properties') };
  const contentType = req.headers['content-type'];
  if (contentType) message.contentType = contentType;
  return applyBrokerProperties(message, parseJsonHeader(req.headers.brokerproperties, 'BrokerProperties'));
}

function batchMessages(body: Buffer): OutgoingMessage[] {
  let items: unknown;
  try {
    items = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('A batch body must be a JSON array.');
  }
  if (!Array.isArray(items)) throw badRequest('A batch body must be a JSON array of {Body, BrokerProperties, UserProperties}.');
  return items.map((item, i) => {
    if (typeof item !== 'object' || item === null) throw badRequest(`Batch item ${i} must be an object.`);
    const { Body, BrokerProperties, UserProperties } = item as Record<string, unknown>;
    const isText = typeof Body === 'string';
    const message: OutgoingMessage = {
      body: Buffer.from(isText ? Body : JSON.stringify(Body ?? null)),
      applicationProperties: toProperties(UserProperties, `[${i}].UserProperties`),
    };
    if (!isText) message.contentType = 'application/json';
    if (BrokerProperties !== undefined && (typeof BrokerProperties !== 'object' || BrokerProperties === null || Array.isArray(BrokerProperties))) {
      throw badRequest(`[${i}].BrokerProperties must be a JSON object.`);
    }
    return applyBrokerProperties(message, BrokerProperties as Record<string, unknown> | undefined, `[${i}].BrokerProperties`);
  });
}

export class ServiceBusSendEndpoint implements HttpRouteHandler {
  constructor(private readonly broker: ServiceBusBroker) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith(sendPathPrefix)) return false;
    const match = /^\/servicebus\/(.+)\/messages\/?$/.exec(url.pathname);
    if (!match) return false;
    if (req.method !== 'POST') {
      sendProblem(res, { status: 405, detail: 'Messages are sent with POST.', headers: { allow: 'POST' } });
      return true;
    }
    const entity = decodePathPart(match[1] as string);
    const body = await readBody(req);
    const isBatch = (req.headers['content-type'] ?? '').toLowerCase().startsWith(batchContentType);
    checkNesting(body, isBatch ? 2 : 0);
    const messages = isBatch ? batchMessages(body) : [singleMessage(req, body)];
    try {
      const results = this.broker.send(entity, messages);
      sendJson(res, 201, { entity, messages: results });
    } catch (err) {
      if (err instanceof UnknownEntityError) {
        sendProblem(res, { status: 404, title: 'Entity not found', detail: err.message });
        return true;
      }
      throw err;
    }
    return true;
  }
}
