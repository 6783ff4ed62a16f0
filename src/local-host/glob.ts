/**
 * The small glob subset `package.json` `main` uses (`*`, `?`, `**`, `{a,b}`), matched against the file
 * system. `**` does not descend into node_modules or dot folders, which keeps app loading fast.
 */
import fs from 'node:fs';
import path from 'node:path';

function escapeRegExp(text: string): string {
  return text.replace(/[.+^$()|[\]\\]/g, '\\$&');
}

/** Compiles one path segment (no slashes) into an anchored regular expression. */
export function segmentToRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '{') {
      const end = segment.indexOf('}', i);
      if (end < 0) {
        source += '\\{';
        continue;
      }
      const options = segment.slice(i + 1, end).split(',').map(escapeRegExp);
      source += `(?:${options.join('|')})`;
      i = end;
    } else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`);
}

function hasMagic(segment: string): boolean {
  return /[*?{]/.test(segment);
}

function listDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isDirectory(entry: fs.Dirent, dir: string): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return fs.statSync(path.join(dir, entry.name)).isDirectory();
  } catch {
    return false;
  }
}

function walk(dir: string, segments: string[], relative: string, out: Set<string>): void {
  if (segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  const last = rest.length === 0;
  if (head === '**') {
    // `**` matches zero folders…
    walk(dir, rest, relative, out);
    // …or one more folder, keeping `**` in play.
    for (const entry of listDir(dir)) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || !isDirectory(entry, dir)) continue;
      walk(path.join(dir, entry.name), segments, path.posix.join(relative, entry.name), out);
    }
    return;
  }
  if (!hasMagic(head)) {
    const full = path.join(dir, head);
    const rel = path.posix.join(relative, head);
    if (last) {
      if (fs.existsSync(full) && fs.statSync(full).isFile()) out.add(rel);
    } else walk(full, rest, rel, out);
    return;
  }
  const pattern = segmentToRegExp(head);
  for (const entry of listDir(dir)) {
    if (!pattern.test(entry.name)) continue;
    // Like most globbers, a wildcard does not match a leading dot.
    if (entry.name.startsWith('.') && !head.startsWith('.')) continue;
    const rel = path.posix.join(relative, entry.name);
    if (last) {
      if (!isDirectory(entry, dir)) out.add(rel);
    } else if (isDirectory(entry, dir)) walk(path.join(dir, entry.name), rest, rel, out);
  }
}

/** Files under `baseDir` matching `pattern`, as sorted POSIX paths relative to `baseDir`. */
export function expandGlob(baseDir: string, pattern: string): string[] {
  const normalized = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  const segments = normalized.split('/').filter((s) => s !== '' && s !== '.');
  const out = new Set<string>();
  walk(baseDir, segments, '', out);
  return [...out].sort();
}
