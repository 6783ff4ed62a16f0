/**
 * `output.serviceBusQueue` / `output.serviceBusTopic` bindings: what a function sets there is sent to the
 * embedded broker, one message per array element, as the Functions host does for collections.
 */
import type { CoreBinding, RegisteredFunction, RpcTypedData } from '../contracts';
import { resolveSettingReferences } from '../env-scope';
import type { ServiceBusBroker } from './broker';
import type { OutgoingMessage } from './message';

function valueOf(data: RpcTypedData): unknown {
  if (data.json !== undefined && data.json !== null) return JSON.parse(data.json);
  if (data.string !== undefined && data.string !== null) return data.string;
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.int !== undefined && data.int !== null) return data.int;
  if (data.double !== undefined && data.double !== null) return data.double;
  return undefined;
}

function toMessage(value: unknown): OutgoingMessage {
  if (Buffer.isBuffer(value)) return { body: value };
  if (typeof value === 'string') return { body: Buffer.from(value), contentType: 'text/plain' };
  return { body: Buffer.from(JSON.stringify(value)), contentType: 'application/json' };
}

export function entityOfOutputBinding(binding: CoreBinding): string | undefined {
  const name = binding.queueName ?? binding.topicName;
  return typeof name === 'string' && name.trim() !== '' ? resolveSettingReferences(name.trim()) : undefined;
}

export function createServiceBusOutputHandler(broker: ServiceBusBroker) {
  return (fn: RegisteredFunction, bindingName: string, binding: CoreBinding, data: RpcTypedData): void => {
    const entity = entityOfOutputBinding(binding);
    if (!entity) throw new Error(`Output binding "${bindingName}" of "${fn.name}" names no queueName or topicName.`);
    const value = valueOf(data);
    if (value === undefined || value === null) return;
    const values = Array.isArray(value) ? value : [value];
    broker.send(entity, values.map(toMessage));
  };
}
