/**
 * Cosmos DB partial document update: add, set, replace, remove, incr and move on JSON paths (`/a/b/0`).
 */
import type { JsonObject } from './document-store';

export class PatchError extends Error {}

type Container = Record<string, unknown> | unknown[];

function segmentsOf(path: unknown): string[] {
  if (typeof path !== 'string' || !path.startsWith('/') || path.length < 2) throw new PatchError(`Invalid patch path '${String(path)}'.`);
  return path
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The object or array holding the path's last segment. */
function parentOf(document: JsonObject, segments: string[]): { parent: Container; key: string } {
  let current: unknown = document;
  for (const segment of segments.slice(0, -1)) {
    const next: unknown = Array.isArray(current) ? current[Number(segment)] : (current as Record<string, unknown>)[segment];
    if (typeof next !== 'object' || next === null) throw new PatchError(`The path '/${segments.join('/')}' does not exist.`);
    current = next;
  }
  return { parent: current as Container, key: segments[segments.length - 1] ?? '' };
}

function get(parent: Container, key: string): unknown {
  return Array.isArray(parent) ? parent[Number(key)] : parent[key];
}

function arrayIndex(parent: unknown[], key: string, allowEnd: boolean): number {
  if (allowEnd && key === '-') return parent.length;
  const index = Number(key);
  if (!Number.isInteger(index) || index < 0 || index > (allowEnd ? parent.length : parent.length - 1)) throw new PatchError(`Invalid array index '${key}'.`);
  return index;
}

function remove(document: JsonObject, path: unknown): unknown {
  const { parent, key } = parentOf(document, segmentsOf(path));
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, false), 1)[0];
  if (!(key in parent)) throw new PatchError(`The path '${String(path)}' does not exist.`);
  const value = parent[key];
  delete parent[key];
  return value;
}

function put(document: JsonObject, path: unknown, value: unknown, how: 'add' | 'set' | 'replace'): void {
  const { parent, key } = parentOf(document, segmentsOf(path));
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, key, how !== 'replace');
    if (how === 'add') parent.splice(index, 0, value);
    else parent[index] = value;
    return;
  }
  if (how === 'replace' && !(key in parent)) throw new PatchError(`The path '${String(path)}' does not exist.`);
  parent[key] = value;
}

export function applyPatch(document: JsonObject, operations: unknown[]): JsonObject {
  for (const raw of operations) {
    const operation = (typeof raw === 'object' && raw !== null ? raw : {}) as { op?: unknown; path?: unknown; value?: unknown; from?: unknown };
    switch (operation.op) {
      case 'add':
      case 'set':
      case 'replace':
        put(document, operation.path, operation.value, operation.op);
        break;
      case 'remove':
        remove(document, operation.path);
        break;
      case 'incr': {
        const { parent, key } = parentOf(document, segmentsOf(operation.path));
        const current = get(parent, key) ?? 0;
        if (typeof current !== 'number' || typeof operation.value !== 'number') throw new PatchError('incr needs a number at the path and a number value.');
        put(document, operation.path, current + operation.value, 'set');
        break;
      }
      case 'move':
        put(document, operation.path, remove(document, operation.from), 'set');
        break;
      default:
        throw new PatchError(`Unknown patch operation '${String(operation.op)}'.`);
    }
  }
  return document;
}
