import type { InvocationContext } from '@azure/functions';

/** What every log line of an invocation about an order carries, as named properties. */
export interface SagaLogProperties {
  orderId?: string;
  sagaStyle?: string;
  step?: string;
  attempt?: number;
  correlationId?: string;
  traceId?: string;
}

const LEVELS = ['log', 'trace', 'debug', 'info', 'warn', 'error'] as const;

/**
 * Makes the invocation's own log methods pass the saga's properties after the message, as one compact JSON
 * object (`... ReserveInventory succeeded {"orderId":"ord-1","sagaStyle":"orchestration",...,"traceId":"..."}`):
 * the human text stays first and the line stays one line, and every line the app writes about an order can
 * be found and filtered by those fields. Returns the undo, for the end of the invocation.
 */
export function withLogProperties(context: InvocationContext, properties: SagaLogProperties): () => void {
  const defined = Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined)) as SagaLogProperties;
  if (Object.keys(defined).length === 0) return () => {};
  const suffix = JSON.stringify(defined);
  const originals = LEVELS.map((level) => [level, Object.getOwnPropertyDescriptor(context, level)] as const);
  for (const level of LEVELS) {
    const original = context[level].bind(context);
    context[level] = (...args: unknown[]) => original(...args, suffix);
  }
  return () => {
    for (const [level, descriptor] of originals) {
      if (descriptor) Object.defineProperty(context, level, descriptor);
      else delete (context as unknown as Record<string, unknown>)[level];
    }
  };
}
