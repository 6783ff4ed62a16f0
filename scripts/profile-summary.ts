/**
 * `node dist/scripts/profile-summary.js <file.cpuprofile> [more…]`: the host's CPU time by category, for a
 * profile taken with `node --cpu-prof dist/src/local-host/cli.js …` while `npm run bench -- --url …` drives it.
 * With `--sagas N` it also gives the busy time per saga.
 */
import fs from 'node:fs';
import path from 'node:path';
import { summarize, type CpuProfile } from './profile/categories';
import { parseFlags, positiveInteger, runScript, UsageError } from './lib/cli';

const USAGE = 'Usage: node dist/scripts/profile-summary.js [--sagas N] <file.cpuprofile> [<file.cpuprofile> ...]';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const files = argv.filter((arg, i) => !arg.startsWith('--') && argv[i - 1] !== '--sagas');
  const flags = parseFlags(argv.filter((arg) => !files.includes(arg)), { sagas: { type: 'string' } });
  if (flags.help) return console.log(USAGE);
  if (files.length === 0) throw new UsageError('Name at least one .cpuprofile file');
  const sagas = flags.sagas === undefined ? undefined : positiveInteger('sagas', flags.sagas, 1, 100_000_000);
  for (const file of files) {
    const { busy, total, rows } = summarize(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile);
    console.log(`${path.basename(file)}: ${(busy / 1000).toFixed(1)} s busy of ${(total / 1000).toFixed(1)} s` + (sagas ? `, ${(busy / sagas).toFixed(2)} ms per saga` : ''));
    for (const row of rows) console.log(`  ${(row.share * 100).toFixed(1).padStart(5)} %  ${row.ms.toFixed(0).padStart(7)} ms  ${row.category}`);
  }
}

runScript(main, USAGE);
