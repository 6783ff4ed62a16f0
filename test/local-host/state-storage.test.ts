import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArgs, stateLocationOf } from '../../src/local-host/cli';
import { DataDirInUseError, lockDataDir, lockFileOf } from '../../src/local-host/storage/data-dir-lock';
import { resetState } from '../../src/local-host/storage/reset-state';
import { openDatabase } from '../../src/local-host/storage/sqlite';
import { inMemory, onDisk, storeFile, storeSizes } from '../../src/local-host/storage/state-location';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'state-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A process that is alive until killed, to hold a lock in another pid's name. */
function otherProcess(): { pid: number; kill(): Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return {
    pid: child.pid as number,
    kill: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

describe('SQLite API', () => {
  it('commits a transaction and rolls back one that throws', () => {
    const db = openDatabase(':memory:');
    db.exec('CREATE TABLE t (n INTEGER)');
    db.transaction(() => db.prepare('INSERT INTO t VALUES (?)').run(1));
    expect(() =>
      db.transaction(() => {
        db.prepare('INSERT INTO t VALUES (?)').run(2);
        db.transaction(() => db.prepare('INSERT INTO t VALUES (?)').run(3));
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(db.prepare<{ n: number }>('SELECT n FROM t').all().map((row) => row.n)).toEqual([1]);
    db.close();
  });

  it('keeps a committed write in the file for the next opener, in WAL mode', () => {
    const file = storeFile(onDisk(tempDir()), 'taskhub');
    const first = openDatabase(file);
    expect(first.prepare<{ journal_mode: string }>('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    first.exec('CREATE TABLE t (v TEXT)');
    first.prepare('INSERT INTO t VALUES (?)').run('kept');
    // No close: a killed process never closes its database either.
    const second = openDatabase(file);
    expect(second.prepare<{ v: string }>('SELECT v FROM t').get()?.v).toBe('kept');
    second.close();
    first.close();
  });
});

describe('data folder', () => {
  it('refuses a second host while the first one lives, and takes over a lock whose owner is gone', async () => {
    const location = onDisk(tempDir());
    const holder = otherProcess();
    fs.writeFileSync(lockFileOf(location.dir), `${holder.pid}\n`);
    expect(() => lockDataDir(location)).toThrow(DataDirInUseError);
    expect(() => resetState(location)).toThrow(/in use by process/);
    await holder.kill();
    const lock = lockDataDir(location);
    expect(fs.readFileSync(lockFileOf(location.dir), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    expect(fs.existsSync(lockFileOf(location.dir))).toBe(false);
  });

  it('needs no lock and no files in memory', () => {
    lockDataDir(inMemory).release();
    expect(storeFile(inMemory, 'cosmos')).toBe(':memory:');
    expect(storeSizes(inMemory)).toEqual([]);
  });

  it('reset removes the stores and nothing else', () => {
    const location = onDisk(tempDir());
    const db = openDatabase(storeFile(location, 'cosmos'));
    db.exec('CREATE TABLE t (v TEXT)');
    db.close();
    fs.writeFileSync(path.join(location.dir, 'notes.txt'), 'mine');
    const { removed } = resetState(location);
    expect(removed.map((file) => path.basename(file))).toContain('cosmos.sqlite');
    expect(fs.readdirSync(location.dir)).toEqual(['notes.txt']);
  });
});

describe('CLI state flags', () => {
  it('keeps state in .data of the app folder unless told otherwise', () => {
    expect(stateLocationOf(parseArgs(['--app', '/srv/app']))).toEqual({ kind: 'disk', dir: '/srv/app/.data' });
    expect(stateLocationOf(parseArgs(['--data-dir', '/var/petstore']))).toEqual({ kind: 'disk', dir: '/var/petstore' });
    expect(stateLocationOf(parseArgs(['--in-memory']))).toEqual({ kind: 'memory' });
    expect(() => parseArgs(['--in-memory', '--data-dir', 'x'])).toThrow(/cannot be used together/);
  });
});
