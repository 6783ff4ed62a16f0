/** Instance and execution ids, in the formats the extension uses. */
import { createHash, randomUUID } from 'node:crypto';

/** A new instance id: `Guid.NewGuid().ToString("N")`, 32 hex digits. */
export function newInstanceId(): string {
  return randomUUID().replace(/-/g, '');
}

export function newExecutionId(): string {
  return randomUUID().replace(/-/g, '');
}

/**
 * The id of a sub-orchestration started without one. The extension derives it deterministically from the
 * parent (NewGuid); here it is a name-based (v5-style) GUID of the parent execution and the task id, so an
 * attempt keeps its child id however often the parent replays.
 */
export function childInstanceId(parentInstanceId: string, parentExecutionId: string, taskId: number): string {
  const hash = createHash('sha1').update(`${parentInstanceId}:${parentExecutionId}:${taskId}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  return hash.subarray(0, 16).toString('hex');
}

/** The extension rejects these in instance ids (EXT DurableClient.StartNewAsync). */
export function instanceIdProblem(instanceId: string): string | undefined {
  if (instanceId.length === 0) return 'Instance IDs must not be empty.';
  if (instanceId.length > 256) return 'Instance ID lengths must not exceed 256 characters.';
  if (instanceId.startsWith('@')) return 'Orchestration instance ids must not start with @.';
  // eslint-disable-next-line no-control-regex
  if (/[/\\?#\u0000-\u001f\u007f]/.test(instanceId)) return 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.';
  return undefined;
}
