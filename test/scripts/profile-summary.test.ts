import { describe, expect, it } from 'vitest';
import { categoryOf, summarize, type CpuProfile } from '../../scripts/profile/categories';

describe('CPU profile summary', () => {
  it('puts each script in the category the performance notes use', () => {
    expect(categoryOf('file:///app/node_modules/@azure/cosmos/dist/commonjs/request/RequestHandler.js', 'execute')).toBe('@azure/cosmos client and request signing');
    expect(categoryOf('file:///app/dist/src/local-host/cosmos/worker-client.js', 'send')).toBe('embedded Cosmos DB server');
    expect(categoryOf('file:///app/dist/src/local-host/durable/orchestration-runner.js', 'episode')).toBe('Durable engine (embedded host)');
    expect(categoryOf('file:///app/node_modules/durable-functions/lib/src/orchestrations/TaskOrchestrationExecutor.js', 'execute')).toBe('durable-functions replay');
    expect(categoryOf('node:_http_server', 'parserOnIncoming')).toBe('HTTP and sockets (Node)');
    expect(categoryOf('file:///app/dist/src/services/order-service.js', 'placeOrder')).toBe('app code and zod');
    expect(categoryOf('', '(garbage collector)')).toBe('garbage collection');
  });

  it('sums self time per category and leaves idle out of the shares', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '' } },
        { id: 2, callFrame: { functionName: '(idle)', url: '' } },
        { id: 3, callFrame: { functionName: 'parse', url: 'file:///app/node_modules/zod/v4/core/parse.js' } },
        { id: 4, callFrame: { functionName: '(garbage collector)', url: '' } },
      ],
      samples: [2, 3, 3, 4, 2],
      timeDeltas: [5_000, 1_000, 2_000, 1_000, 1_000],
    };
    const summary = summarize(profile);
    expect(summary.total).toBe(10);
    expect(summary.busy).toBe(4);
    expect(summary.rows).toEqual([
      { category: 'app code and zod', ms: 3, share: 0.75 },
      { category: 'garbage collection', ms: 1, share: 0.25 },
    ]);
  });
});
