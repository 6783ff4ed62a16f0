import fs from 'node:fs';
import path from 'node:path';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { problemResponse } from './problem';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The folder of the pages this app serves: `src/web` when run from source, its copy in `dist/src/web` when built. */
export const WEB_DIR = path.resolve(__dirname, '..', 'web');

export interface AssetSet {
  /** The file answered for the bare route (`/api/dashboard`). */
  index: string;
  /** Asset name (the last route segment) → file on disk. Only these names are ever read. */
  files: Record<string, string>;
  /** The page's Content-Security-Policy: the pages load nothing from anywhere but this origin. */
  contentSecurityPolicy: string;
  cacheControl: string;
}

/** Every file of a folder, by name, for an AssetSet. */
export function filesOf(dir: string, names?: readonly string[]): Record<string, string> {
  const listed = names ?? fs.readdirSync(dir).filter((name) => fs.statSync(path.join(dir, name)).isFile());
  return Object.fromEntries(listed.map((name) => [name, path.join(dir, name)]));
}

/**
 * Answers `GET <route>/{*asset}` from a fixed list of files: an asset name is looked up, never joined to a
 * path, so nothing outside the list can be read. Files are read once and kept in memory.
 */
export function assetServer(assets: () => AssetSet) {
  const cache = new Map<string, Buffer>();
  return (request: HttpRequest): HttpResponseInit => {
    const set = assets();
    const name = request.params.asset ?? '';
    const file = name === '' ? set.index : Object.prototype.hasOwnProperty.call(set.files, name) ? set.files[name] : undefined;
    if (file === undefined) return problemResponse(404, 'There is no such file.');
    let body = cache.get(file);
    if (body === undefined) {
      body = fs.readFileSync(file);
      cache.set(file, body);
    }
    return {
      status: 200,
      body,
      headers: {
        'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': set.cacheControl,
        'content-security-policy': set.contentSecurityPolicy,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      },
    };
  };
}
