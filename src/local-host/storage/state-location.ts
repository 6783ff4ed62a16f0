/**
 * Where the embedded host keeps its state: a data folder (the CLI's default, `.data/` in the app folder,
 * or `--data-dir`), or nowhere (`--in-memory`, and the default for `startHost` in tests and benchmarks).
 * Each store has its own SQLite file in the folder: Cosmos DB documents, the Service Bus broker, the task hub.
 */
import fs from 'node:fs';
import path from 'node:path';

export type StateLocation = { kind: 'disk'; dir: string } | { kind: 'memory' };

export type StoreName = 'cosmos' | 'servicebus' | 'taskhub';

export const inMemory: StateLocation = { kind: 'memory' };

export function onDisk(dir: string): StateLocation {
  return { kind: 'disk', dir: path.resolve(dir) };
}

/** The SQLite file of one store (its folder created), or `:memory:`. */
export function storeFile(location: StateLocation, store: StoreName): string {
  if (location.kind === 'memory') return ':memory:';
  fs.mkdirSync(location.dir, { recursive: true });
  return path.join(location.dir, `${store}.sqlite`);
}

/** The files a store leaves in the folder (the database and its WAL companions). */
export function storeFiles(location: StateLocation, store: StoreName): string[] {
  if (location.kind === 'memory') return [];
  const file = path.join(location.dir, `${store}.sqlite`);
  return [file, `${file}-wal`, `${file}-shm`];
}

export function describeLocation(location: StateLocation): string {
  return location.kind === 'memory' ? 'in memory (gone at exit)' : location.dir;
}
