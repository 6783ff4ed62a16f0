/**
 * Where the embedded host keeps its state: a data folder (the CLI's default, `.data/` in the app folder,
 * or `--data-dir`), or nowhere (`--in-memory`, and the default for `startHost` in tests and benchmarks).
 * Each store has its own SQLite file in the folder: Cosmos DB documents, the Service Bus broker, the task hub.
 */
import fs from 'node:fs';
import path from 'node:path';

export type DiskLocation = { kind: 'disk'; dir: string };
export type StateLocation = DiskLocation | { kind: 'memory' };

export type StoreName = 'cosmos' | 'servicebus' | 'taskhub';

export const inMemory: StateLocation = { kind: 'memory' };

export function onDisk(dir: string): DiskLocation {
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


/** Bytes on disk per store (database plus WAL), for the banner. */
export function storeSizes(location: StateLocation): Array<{ store: StoreName; bytes: number }> {
  if (location.kind === 'memory') return [];
  const stores: StoreName[] = ['cosmos', 'servicebus', 'taskhub'];
  return stores.map((store) => ({
    store,
    bytes: storeFiles(location, store).reduce((sum, file) => {
      try {
        return sum + fs.statSync(file).size;
      } catch {
        return sum;
      }
    }, 0),
  }));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
