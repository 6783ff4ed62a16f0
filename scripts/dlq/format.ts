/** What the listing shows of a dead-lettered message; a subset of the SDK's ServiceBusReceivedMessage. */
export interface DeadLetterView {
  sequenceNumber?: { toString(): string } | undefined;
  messageId?: string | number | { toString(): string } | undefined;
  subject?: string | undefined;
  deadLetterReason?: string | undefined;
  deadLetterErrorDescription?: string | undefined;
  deliveryCount?: number | undefined;
  enqueuedTimeUtc?: Date | undefined;
}

const DESCRIPTION_LIMIT = 300;

/** One message as a short block: the handle to act on, then why it was dead-lettered. */
export function formatDeadLetter(message: DeadLetterView): string {
  const description = oneLine(message.deadLetterErrorDescription ?? '');
  return [
    `#${message.sequenceNumber?.toString() ?? '?'}  ${message.enqueuedTimeUtc?.toISOString() ?? 'enqueued time unknown'}  ` +
      `deliveries ${message.deliveryCount ?? '?'}  messageId ${message.messageId?.toString() ?? '(none)'}` +
      (message.subject ? `  ${message.subject}` : ''),
    `    reason: ${message.deadLetterReason ?? '(none)'}`,
    `    description: ${description === '' ? '(none)' : truncate(description, DESCRIPTION_LIMIT)}`,
  ].join('\n');
}

/** The closing line, so a script or a person sees at once what happened. */
export function formatSummary(queue: string, count: number, resubmitted: boolean, more: boolean): string {
  const what = resubmitted ? 'resubmitted' : 'dead-lettered';
  if (count === 0) return `No dead-lettered messages in ${queue}.`;
  const tail = more ? ' (more remain: use --all or a larger --max)' : '';
  return `${count} message(s) ${what} in ${queue}${tail}.`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
