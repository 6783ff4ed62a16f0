/**
 * One host per data folder. Two hosts on the same SQLite files would each run the task hub and the broker,
 * delivering every message twice and replaying each other's sagas, so the second one is refused. The lock
 * is a file holding the owner's pid: a lock left by a process that no longer exists (after `kill -9` or a
 * crash) is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StateLocation } from './state-location';

export interface DataDirLock {
  release(): void;
}

const lockName = 'host.lock';

export function lockFileOf(dir: string): string {
  return path.join(dir, lockName);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid holding the folder, when a live process other than this one does. */
export function lockHolder(dir: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(lockFileOf(dir), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  return isAlive(pid) ? pid : undefined;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The data folder ${dir} is in use by process ${pid} (another npm start?). ` +
        'Stop that host, or give this one its own folder with --data-dir <folder> (or --in-memory).',
    );
    this.name = 'DataDirInUseError';
  }
}

export function lockDataDir(location: StateLocation): DataDirLock {
  if (location.kind === 'memory') return { release: () => undefined };
  fs.mkdirSync(location.dir, { recursive: true });
  const file = lockFileOf(location.dir);
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const holder = lockHolder(location.dir);
      if (holder !== undefined) throw new DataDirInUseError(location.dir, holder);
      // A stale lock: its owner is gone. Take it over (once; a second EEXIST means another host won the race).
      fs.rmSync(file, { force: true });
    }
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      try {
        if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.rmSync(file, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
