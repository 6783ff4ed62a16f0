import { createServiceBusClient, describeNamespace } from '../src/messaging/service-bus-client';
import { runScript } from './lib/cli';
import { loadScriptServiceBusSettings } from './lib/settings';
import { peekDeadLetters, resubmitDeadLetters } from './dlq/dead-letters';
import { formatDeadLetter, formatSummary } from './dlq/format';
import { DLQ_USAGE, parseDlqOptions } from './dlq/options';

/** Dead letters on a real broker (the emulator or Azure), as the embedded host's /admin/servicebus routes do in memory. */
async function main(): Promise<void> {
  const options = parseDlqOptions(process.argv.slice(2));
  if (!options) return console.log(DLQ_USAGE);
  const { serviceBus, source } = loadScriptServiceBusSettings();
  if (serviceBus.kind !== 'namespace' && serviceBus.kind !== 'identity') {
    throw new Error(
      'No Service Bus namespace is configured: set ServiceBusConnection, or ServiceBusConnection__fullyQualifiedNamespace for an identity. ' +
        "The embedded host's dead letters are at /admin/servicebus/<queue>/deadletter.",
    );
  }
  console.log(`Settings from ${source}; Service Bus ${describeNamespace(serviceBus)}, queue ${options.queue}.`);
  const limit = options.limit === 'all' ? Number.MAX_SAFE_INTEGER : options.limit;
  const client = createServiceBusClient(serviceBus);
  try {
    if (options.resubmit) {
      const count = await resubmitDeadLetters(client, options.queue, limit, (message) => console.log(formatDeadLetter(message)));
      console.log(formatSummary(options.queue, count, true, count === limit));
    } else {
      // One more than asked, to tell whether more remain.
      const messages = await peekDeadLetters(client, options.queue, limit === Number.MAX_SAFE_INTEGER ? limit : limit + 1);
      const shown = messages.slice(0, limit);
      for (const message of shown) console.log(formatDeadLetter(message));
      console.log(formatSummary(options.queue, shown.length, false, messages.length > shown.length));
    }
  } finally {
    await client.close();
  }
}

runScript(main, DLQ_USAGE);
