import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError, loadConfig, loadServiceBusSettings, type AppConfig, type ServiceBusSettings } from '../../src/config';

export interface ScriptSettings {
  config: AppConfig;
  /** Where the settings came from, for the script's first line of output. */
  source: string;
}

/**
 * The app's settings for a script run from the repository: the environment first, then the `Values`
 * of local.settings.json (what `func start` uses), so a script works right after that file is set up.
 */
export function loadScriptSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ScriptSettings {
  const { config, source } = withSettingsFile(env, cwd, loadConfig);
  return { config, source };
}

/** Only the Service Bus settings, from the same places, for scripts that never touch Cosmos DB. */
export function loadScriptServiceBusSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): { serviceBus: ServiceBusSettings; source: string } {
  const { config, source } = withSettingsFile(env, cwd, loadServiceBusSettings);
  return { serviceBus: config, source };
}

function withSettingsFile<T>(env: NodeJS.ProcessEnv, cwd: string, load: (values: NodeJS.ProcessEnv) => T): { config: T; source: string } {
  const file = path.join(cwd, 'local.settings.json');
  const fromFile = existsSync(file) ? readValues(file) : {};
  const usedFile = Object.keys(fromFile).some((name) => env[name] === undefined || env[name] === '');
  let config: T;
  try {
    config = load({ ...fromFile, ...withoutBlanks(env) });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    throw new Error(
      `${error.message}. Set them in the environment or in ${file} (copy local.settings.sample.json).`,
    );
  }
  return { config, source: usedFile ? `environment + ${file}` : 'environment' };
}

function readValues(file: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const values = (parsed as { Values?: unknown } | null)?.Values;
  if (typeof values !== 'object' || values === null) return {};
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function withoutBlanks(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1])));
}
