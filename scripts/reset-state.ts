import path from 'node:path';
import { resetState } from '../src/local-host/storage/reset-state';
import { onDisk } from '../src/local-host/storage/state-location';
import { parseFlags, runScript } from './lib/cli';

const USAGE = `Usage: npm run reset [-- --data-dir <folder>]

Deletes the embedded host's state (Cosmos DB documents, Service Bus queues, the Durable task hub) from
<folder>, by default .data/ in the project. Refused while a host is running on that folder.`;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { 'data-dir': { type: 'string' } });
  if (flags.help) return console.log(USAGE);
  const location = onDisk(flags['data-dir'] ?? path.join(process.cwd(), '.data'));
  const { dir, removed } = resetState(location);
  console.log(removed.length === 0 ? `Nothing to clear in ${dir}.` : `Cleared ${dir}: removed ${removed.map((file) => path.basename(file)).join(', ')}.`);
}

runScript(main, USAGE);
