import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');

export function repoPath(...segments: string[]): string {
  return path.join(repoRoot, ...segments);
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The team's shared folder sits beside the repository; a user's clone has none. */
export const sharedSchemaPath = path.resolve(repoRoot, '..', 'shared', 'schemas', 'servicebus-emulator-config.schema.json');
export const sharedSchemaExists = existsSync(sharedSchemaPath);
