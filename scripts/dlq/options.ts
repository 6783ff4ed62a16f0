import { ALL_QUEUES, type QueueName } from '../../src/messaging/queues';
import { parseFlags, positiveInteger, UsageError } from '../lib/cli';

export const DLQ_USAGE = `Usage: npm run dlq -- --queue NAME [--resubmit] [--all] [--max N]

Lists a queue's dead-lettered messages (reason, description, delivery count, enqueued time) on the Service Bus
namespace of the app's settings, from the environment, then local.settings.json: ServiceBusConnection (a
connection string: the emulator or Azure), or ServiceBusConnection__fullyQualifiedNamespace with an identity
(your az login; ServiceBusConnection__clientId for a user-assigned managed identity).
  --queue NAME   ${ALL_QUEUES.join(' | ')}
  --max N        how many messages (1-5000, default 20)
  --all          every dead-lettered message of the queue
  --resubmit     send each one back to its queue as a new message, then remove it from the dead-letter queue
  -h, --help     this text`;

export interface DlqOptions {
  queue: QueueName;
  resubmit: boolean;
  /** How many dead letters to list or resubmit; `all` pages through the whole dead-letter queue. */
  limit: number | 'all';
}

/** Reads the command line; undefined means help was asked for. A mistake is a UsageError. */
export function parseDlqOptions(argv: readonly string[]): DlqOptions | undefined {
  const flags = parseFlags(argv, {
    queue: { type: 'string', short: 'q' },
    resubmit: { type: 'boolean' },
    all: { type: 'boolean' },
    max: { type: 'string' },
  });
  if (flags.help) return undefined;
  if (flags.queue === undefined) throw new UsageError('--queue is required');
  if (!(ALL_QUEUES as readonly string[]).includes(flags.queue)) {
    throw new UsageError(`--queue must be one of ${ALL_QUEUES.join(', ')} (got "${flags.queue}")`);
  }
  if (flags.all && flags.max !== undefined) throw new UsageError('--all and --max exclude each other');
  return {
    queue: flags.queue as QueueName,
    resubmit: flags.resubmit === true,
    limit: flags.all ? 'all' : positiveInteger('max', flags.max, 20, 5000),
  };
}
