import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandGlob } from '../../src/local-host/glob';
import { fixture } from './helpers';

let appDir: string;
beforeAll(() => {
  appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'glob-app-'));
  for (const file of ['dist/a.js', 'dist/b.mjs', 'dist/c.ts', 'dist/.hidden.js', 'dist/sub/d.js', 'dist/skip.test.js', 'node_modules/lib/e.js']) {
    fs.mkdirSync(path.dirname(path.join(appDir, file)), { recursive: true });
    fs.writeFileSync(path.join(appDir, file), '');
  }
});
afterAll(() => {
  fs.rmSync(appDir, { recursive: true, force: true });
});

const sorted = async (pattern: string, dir = appDir) => (await expandGlob(dir, pattern)).sort();

describe('package.json main, matched as the Node worker matches it (globby)', () => {
  it('expands *, ** and braces relative to the app folder, without dot files', async () => {
    expect(await sorted('src/functions/*.js', fixture('http-basic'))).toEqual(['src/functions/echo.js', 'src/functions/hooks.js', 'src/functions/items.js']);
    expect(await sorted('./functions/{topics,missing}.js', fixture('servicebus-app'))).toEqual(['./functions/topics.js']); // kept as written, as the worker gets it
    expect(await sorted('dist/*.js')).toEqual(['dist/a.js', 'dist/skip.test.js']);
    expect(await sorted('dist/**/*.js')).toEqual(['dist/a.js', 'dist/skip.test.js', 'dist/sub/d.js']);
    expect(await sorted('index.js', fixture('cosmos-app'))).toEqual(['index.js']);
    expect(await sorted('dist/*.js', fixture('cosmos-app'))).toEqual([]);
  });

  it('takes character classes and extglobs, which a hand-written subset did not', async () => {
    expect(await sorted('dist/*.{js,mjs}')).toEqual(['dist/a.js', 'dist/b.mjs', 'dist/skip.test.js']);
    expect(await sorted('dist/[ab].*')).toEqual(['dist/a.js', 'dist/b.mjs']);
    expect(await sorted('dist/@(a|c).*')).toEqual(['dist/a.js', 'dist/c.ts']);
    expect(await sorted('dist/*.@(ts|mjs)')).toEqual(['dist/b.mjs', 'dist/c.ts']);
  });

  it('walks into node_modules under ** as the worker does', async () => {
    expect(await sorted('**/e.js')).toEqual(['node_modules/lib/e.js']);
  });
});
