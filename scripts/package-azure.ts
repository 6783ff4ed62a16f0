import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseFlags, runScript } from './lib/cli';

const USAGE = `Usage: npm run package:azure [-- --out DIR] [-- --skip-install]

Stages what runs on Azure in DIR (default .deploy): host.json, package.json, the lock file and the compiled
app (dist/src without the embedded host), then installs the production dependencies only (npm ci --omit=dev
--omit=optional). azure.yaml deploys that folder; \`func azure functionapp publish\` can be run inside it.`;

/** Files copied as they are, next to the compiled app. */
const ROOT_FILES = ['host.json', 'package.json', 'package-lock.json'] as const;

/** The compiled app minus what never runs on Azure: the embedded host (`npm start`) and source maps. */
export function isDeployedAppFile(relativePath: string): boolean {
  const normalised = relativePath.split(path.sep).join('/');
  if (normalised === 'local-host' || normalised.startsWith('local-host/')) return false;
  return !normalised.endsWith('.map') && !normalised.endsWith('.tsbuildinfo');
}

/** Copies the deployable files from `root` into `out` (emptied first); returns `out`. */
export function stagePackage(root: string, out: string): string {
  const compiled = path.join(root, 'dist', 'src');
  if (!existsSync(path.join(compiled, 'functions'))) throw new Error(`${compiled}/functions is missing: run npm run build first.`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const file of ROOT_FILES) cpSync(path.join(root, file), path.join(out, file));
  cpSync(compiled, path.join(out, 'dist', 'src'), {
    recursive: true,
    filter: (source) => isDeployedAppFile(path.relative(compiled, source)),
  });
  return out;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { out: { type: 'string' }, 'skip-install': { type: 'boolean' } });
  if (flags.help) return console.log(USAGE);
  const root = path.resolve(__dirname, '..', '..');
  const out = stagePackage(root, path.resolve(root, flags.out ?? '.deploy'));
  if (!flags['skip-install']) {
    // --ignore-scripts: no install script of a production dependency is needed, and none should run here.
    execFileSync('npm', ['ci', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: out, stdio: 'inherit' });
  }
  console.log(`Deployment package staged in ${path.relative(process.cwd(), out) || '.'}`);
}

if (require.main === module) runScript(main, USAGE);
