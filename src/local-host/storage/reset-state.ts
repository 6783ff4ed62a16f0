/**
 * `npm run reset`: deletes the embedded host's state (the SQLite files of Cosmos DB, the broker and the task
 * hub) from a data folder. Refused while a host runs on that folder, since it would keep writing to files
 * that no longer exist.
 */
import fs from 'node:fs';
import { lockFileOf, lockHolder, DataDirInUseError } from './data-dir-lock';
import { storeFiles, type DiskLocation, type StoreName } from './state-location';

export interface ResetResult {
  dir: string;
  removed: string[];
}

export function resetState(location: DiskLocation): ResetResult {
  const holder = lockHolder(location.dir);
  if (holder !== undefined) throw new DataDirInUseError(location.dir, holder);
  const stores: StoreName[] = ['cosmos', 'servicebus', 'taskhub'];
  const removed: string[] = [];
  for (const file of [...stores.flatMap((store) => storeFiles(location, store)), lockFileOf(location.dir)]) {
    if (!fs.existsSync(file)) continue;
    fs.rmSync(file, { force: true });
    removed.push(file);
  }
  // The folder itself goes when nothing else was put in it.
  try {
    fs.rmdirSync(location.dir);
  } catch {
    // not empty, or already gone
  }
  return { dir: location.dir, removed };
}
