import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { withLogProperties } from '../../src/telemetry/saga-log';

function contextWithLines(): { context: InvocationContext; lines: Array<{ level: string; args: unknown[] }> } {
  const lines: Array<{ level: string; args: unknown[] }> = [];
  const context = new InvocationContext({ functionName: 'ReserveInventory', logHandler: (level, ...args) => lines.push({ level, args }) });
  return { context, lines };
}

describe('log properties', () => {
  it('keep the message first and add the saga properties as one JSON object, at every level', () => {
    const { context, lines } = contextWithLines();
    const restore = withLogProperties(context, { orderId: 'ord-1', sagaStyle: 'choreography', step: 'OrderCreated', attempt: 2, correlationId: 'c-1' });
    context.log('Order ord-1 recorded OrderCreated');
    context.warn('slow');
    expect(lines).toEqual([
      { level: 'information', args: ['Order ord-1 recorded OrderCreated', '{"orderId":"ord-1","sagaStyle":"choreography","step":"OrderCreated","attempt":2,"correlationId":"c-1"}'] },
      { level: 'warning', args: ['slow', '{"orderId":"ord-1","sagaStyle":"choreography","step":"OrderCreated","attempt":2,"correlationId":"c-1"}'] },
    ]);

    restore();
    context.log('after the invocation');
    expect(lines.at(-1)).toEqual({ level: 'information', args: ['after the invocation'] });
  });

  it('leave the lines alone when nothing about an order is known', () => {
    const { context, lines } = contextWithLines();
    withLogProperties(context, { orderId: undefined, traceId: undefined });
    context.log('health check');
    expect(lines).toEqual([{ level: 'information', args: ['health check'] }]);
  });
});
