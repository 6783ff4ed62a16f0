/**
 * The files `package.json` `main` names, found with the matcher the Node worker itself uses (globby 11,
 * `globby(main, { cwd: appDir })` in its startApp), so the host loads exactly the files `func` loads, in the
 * same order: character classes, extglobs, negations and `**` through any folder included.
 */
import globby from 'globby';

/** Files under `baseDir` matching `pattern`, as POSIX paths relative to `baseDir`, in the worker's order. */
export function expandGlob(baseDir: string, pattern: string): Promise<string[]> {
  return globby(pattern, { cwd: baseDir });
}
