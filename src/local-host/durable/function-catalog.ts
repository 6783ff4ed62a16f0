/** The app's durable functions by role. Function names are case-insensitive in the Functions host. */
import type { RegisteredFunction } from '../contracts';

export type DurableRole = 'orchestrator' | 'activity' | 'entity';

const roleByTrigger: Record<string, DurableRole> = {
  orchestrationtrigger: 'orchestrator',
  activitytrigger: 'activity',
  entitytrigger: 'entity',
};

export function durableRole(fn: RegisteredFunction): DurableRole | undefined {
  return roleByTrigger[fn.trigger.type.toLowerCase()];
}

export class FunctionCatalog {
  readonly #byRole = new Map<DurableRole, Map<string, RegisteredFunction>>();

  constructor(functions: readonly RegisteredFunction[]) {
    for (const fn of functions) {
      const role = durableRole(fn);
      if (!role) continue;
      let byName = this.#byRole.get(role);
      if (!byName) this.#byRole.set(role, (byName = new Map()));
      byName.set(fn.name.toLowerCase(), fn);
    }
  }

  find(role: DurableRole, name: string): RegisteredFunction | undefined {
    return this.#byRole.get(role)?.get(name.toLowerCase());
  }
}

/** The extension's message for a missing function (EXT DurableTaskExtension.ThrowIfFunctionDoesNotExist). */
export function missingFunctionMessage(name: string, role: DurableRole): string {
  const kind = role === 'orchestrator' ? 'orchestrator' : role === 'activity' ? 'activity' : 'entity';
  return `The function '${name}' doesn't exist, is disabled, or is not an ${kind} function.`;
}
