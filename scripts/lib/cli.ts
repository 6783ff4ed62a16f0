import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the script was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` strictly (an unknown flag or a missing value is a UsageError, never ignored); adds --help. */
export function parseFlags<const O extends FlagOptions>(argv: readonly string[], options: O) {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } } as const,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function oneOf<const V extends string>(flag: string, value: string | undefined, allowed: readonly V[], fallback: V): V {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as V;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
}

export function positiveInteger(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) {
    throw new UsageError(`--${flag} must be a whole number from 1 to ${max} (got "${value}")`);
  }
  return parsed;
}

/**
 * Runs a script's main function and turns its outcome into an exit code: 0 when it resolves, 2 with the
 * usage for a UsageError, 1 with the message (never a stack trace for an expected failure) otherwise.
 */
export function runScript(main: () => Promise<void>, usage: string): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${usage}`);
      process.exitCode = 2;
      return;
    }
    console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = 1;
  });
}
