import { readFileSync } from 'node:fs';
import { SERVICE_BUS_CONNECTION_SETTING } from '../../src/config';
import { repoPath } from './repo';

/**
 * The settings src/config.ts reads, taken from its schema's keys, so a new setting that is missing from the
 * sample settings or from the Bicep fails a test rather than someone's first `func start` or deployment.
 */
export function settingsReadByConfig(): string[] {
  const source = readFileSync(repoPath('src', 'config.ts'), 'utf8');
  // The main schema, and the small ones for settings read before the rest (the sweeper's schedule).
  const schemas = [...source.matchAll(/const \w*SettingsSchema = z\.object\(\{([\s\S]*?)\n\}\);/g)];
  if (!schemas.some((schema) => schema[0].startsWith('const SettingsSchema'))) {
    throw new Error('src/config.ts no longer declares `const SettingsSchema = z.object({...})`');
  }
  const keys = schemas.flatMap((schema) => [...schema[1]!.matchAll(/^ {2}(\[[A-Z_]+\]|[A-Za-z_][A-Za-z0-9_]*)\s*:/gm)].map((match) => match[1]!));
  return [...new Set(keys.map((key) => (key === '[SERVICE_BUS_CONNECTION_SETTING]' ? SERVICE_BUS_CONNECTION_SETTING : key)))];
}
