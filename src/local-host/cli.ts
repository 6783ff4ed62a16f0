#!/usr/bin/env node
/**
 * `functions-embedded-host [--app <folder>] [--port N] [--quiet] [--log-level debug|info|warn|error] [--faults <json|file>]`
 * Runs a Node v4 Functions app folder without `func`. Ctrl+C drains and exits 0; a second Ctrl+C exits at once.
 */
import path from 'node:path';
import { readFaultPlanText, type FaultPlan } from './faults/fault-plan';
import type { LogLevel } from './logger';
import { startHost, type HostOptions, type RunningHost } from './host';
import { inMemory, onDisk, type StateLocation } from './storage/state-location';

interface CliArgs {
  app?: string;
  port?: number;
  quiet: boolean;
  logLevel?: LogLevel;
  faults?: FaultPlan;
  dataDir?: string;
  inMemory: boolean;
  help: boolean;
}

const usage = `Usage: functions-embedded-host [--app <folder>] [--port <n>] [--log-level debug|info|warn|error] [--quiet]
                              [--faults <plan json or file>] [--data-dir <folder> | --in-memory]

Runs the Azure Functions (Node v4) app in <folder> (default: the current directory) with an embedded
HTTP host, Durable Functions engine, Service Bus broker and Cosmos DB.

State (Cosmos DB documents, Service Bus queues, the Durable task hub) is kept in SQLite files in
<folder>/.data, or in --data-dir; it survives a restart or a crash. --in-memory keeps nothing.

--faults turns on the seeded fault plan, e.g. '{"seed":42,"rates":{"activityRepeat":0.1,"lockExpiry":0.05}}'
(also read from EMBEDDED_HOST_FAULTS); the counts are at GET /admin/faults.`;

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { quiet: false, inMemory: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--app':
        args.app = value();
        break;
      case '--port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be a TCP port number');
        args.port = port;
        break;
      }
      case '--log-level': {
        const level = value();
        if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new Error('--log-level must be debug, info, warn or error');
        args.logLevel = level as LogLevel;
        break;
      }
      case '--quiet':
        args.quiet = true;
        break;
      case '--faults':
        args.faults = readFaultPlanText(value(), '--faults plan');
        break;
      case '--data-dir':
        args.dataDir = value();
        break;
      case '--in-memory':
        args.inMemory = true;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new Error(`Unknown argument "${arg}"`);
    }
  }
  if (args.inMemory && args.dataDir !== undefined) throw new Error('--in-memory and --data-dir cannot be used together');
  return args;
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const options: HostOptions = { quiet: args.quiet };
  if (args.app !== undefined) options.appDir = args.app;
  if (args.port !== undefined) options.port = args.port;
  if (args.logLevel !== undefined) options.logLevel = args.logLevel;
  if (args.faults !== undefined) options.faults = args.faults;
  options.state = stateLocationOf(args);

  let host: RunningHost;
  try {
    host = await startHost(options);
  } catch (err) {
    process.stderr.write(`The host failed to start: ${startFailure(err)}\n`);
    process.exit(1);
  }

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`${signal} again: exiting without draining\n`);
      process.exit(130);
    }
    process.stdout.write(`\n${signal} received, draining (press Ctrl+C again to exit at once)\n`);
    host.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`Stopping failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** `--in-memory`, else `--data-dir`, else `.data` in the app folder. */
export function stateLocationOf(args: Pick<CliArgs, 'app' | 'dataDir' | 'inMemory'>): StateLocation {
  if (args.inMemory) return inMemory;
  return onDisk(args.dataDir ?? path.join(path.resolve(args.app ?? process.cwd()), '.data'));
}

/** A busy port is the usual first-run failure (func or another host already on 7071): say what to do. */
export function startFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') {
    return `${message}. Another process (func start, or another npm start) is using that port: stop it, or pick another with PORT=7072 npm start or --port 7072.`;
  }
  return message;
}

if (require.main === module) void main();
