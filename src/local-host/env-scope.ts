/**
 * Changes to process.env that the host makes for one run and takes back at stop, so that a later host in
 * the same process starts from the environment the process had.
 */
export class EnvScope {
  readonly #previous = new Map<string, string | undefined>();

  /** Sets `name` unless it already has a value (or `override` is true). Returns the effective value. */
  set(name: string, value: string, override = false): string {
    const existing = process.env[name];
    if (existing !== undefined && !override) return existing;
    if (!this.#previous.has(name)) this.#previous.set(name, existing);
    process.env[name] = value;
    return value;
  }

  restore(): void {
    for (const [name, value] of this.#previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.#previous.clear();
  }
}

/** Resolves `%SettingName%` references from the environment, as the Functions host does in bindings. */
export function resolveSettingReferences(value: string): string {
  return value.replace(/%([^%]+)%/g, (whole, name: string) => process.env[name] ?? whole);
}
