/**
 * Conversions between the worker's RpcTypedData and the JSON texts that history events carry. The extension
 * JSON-serialises whatever the worker returned, so a returned string becomes a JSON string, not raw text.
 */
import type { RpcTypedData } from '../contracts';

/** The JSON text of a function's return value (TaskCompleted.Result), or null when it returned nothing. */
export function returnValueToJson(data: RpcTypedData | null | undefined): string | null {
  if (!data) return null;
  if (data.json !== undefined && data.json !== null) return data.json;
  if (data.string !== undefined && data.string !== null) return JSON.stringify(data.string);
  if (data.int !== undefined && data.int !== null) return JSON.stringify(Number(data.int));
  if (data.double !== undefined && data.double !== null) return JSON.stringify(data.double);
  const bytes = data.bytes ?? data.stream;
  // .NET serialises byte[] as base64.
  if (bytes) return JSON.stringify(Buffer.from(bytes).toString('base64'));
  return null;
}

/** The value inside a returned RpcTypedData, for an orchestrator's OrchestratorState. */
export function returnValueToObject(data: RpcTypedData | null | undefined): unknown {
  const json = returnValueToJson(data);
  if (json === null) return undefined;
  return JSON.parse(json) as unknown;
}

/** JSON text of a value, with `undefined` as null (the extension's JToken for "no value"). */
export function toJsonText(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Parses stored JSON text; text that is not JSON stays a string, as the extension's ParseToJToken does. */
export function parseLenient(text: string | null): unknown {
  if (text === null) return null;
  const trimmed = text.trim();
  if (trimmed === '') return '';
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}

/**
 * DF's Utils.processInput JSON-encodes string inputs of activities and continueAsNew ("Tokyo" travels as
 * "\"Tokyo\""), and the extension unwraps them once more before the function sees them.
 */
export function unwrapProcessedInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}
