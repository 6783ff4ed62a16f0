/**
 * Where a CPU profile of the embedded host spent its time, in the categories the performance notes use: each
 * sample's own (self) time goes to the category of the function it was in, found from the function's script.
 */
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const CATEGORIES: ReadonlyArray<[string, (url: string, name: string) => boolean]> = [
  ['garbage collection', (_url, name) => name === '(garbage collector)'],
  ['idle', (_url, name) => name === '(idle)'],
  ['SQLite (better-sqlite3 / node:sqlite)', (url) => /better-sqlite3|node:sqlite/.test(url) || url.includes('/local-host/storage/')],
  ['embedded Cosmos DB server', (url) => url.includes('/local-host/cosmos/') || url.includes('@zeit/cosmosdb-query') || url.includes('@vercel/cosmosdb-server')],
  ['@azure/cosmos client and request signing', (url) => /@azure\/(cosmos|core-|abort-controller|logger)/.test(url)],
  ['durable-functions replay', (url) => url.includes('/durable-functions/')],
  ['Durable engine (embedded host)', (url) => url.includes('/local-host/durable/')],
  ['Service Bus broker (embedded host)', (url) => url.includes('/local-host/servicebus/')],
  ['Functions invocation model', (url) => url.includes('@azure/functions') || /\/local-host\/(invoker|core-module|http-triggers|http-route|http-server|request-)/.test(url)],
  ['OpenTelemetry', (url) => url.includes('@opentelemetry/') || url.includes('/src/telemetry/')],
  ['app code and zod', (url) => /\/src\/(domain|services|data|orchestration|choreography|functions|http|messaging|config)/.test(url) || url.includes('/zod/')],
  ['HTTP and sockets (Node)', (url) => /node:(_http|http|net|internal\/http|internal\/stream|stream|internal\/streams|tls|dns|internal\/dns|internal\/url|url|zlib)/.test(url) || /undici/.test(url)],
  ['Node internals (timers, promises, buffers, workers, other)', (url) => url.startsWith('node:')],
  ['other embedded host', (url) => url.includes('/local-host/')],
  ['native / runtime', (url, name) => url === '' && name !== '(program)'],
  ['program (V8, not attributed)', (_url, name) => name === '(program)'],
];

export function categoryOf(url: string, functionName: string): string {
  for (const [name, matches] of CATEGORIES) if (matches(url, functionName)) return name;
  return 'other';
}

/** Milliseconds of self time per category, busiest first, idle left out of the shares. */
export function summarize(profile: CpuProfile): { total: number; busy: number; rows: Array<{ category: string; ms: number; share: number }> } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byCategory = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    total += micros;
    const category = node ? categoryOf(node.callFrame.url, node.callFrame.functionName) : 'other';
    byCategory.set(category, (byCategory.get(category) ?? 0) + micros);
  });
  const busy = total - (byCategory.get('idle') ?? 0);
  const rows = [...byCategory]
    .filter(([category]) => category !== 'idle')
    .map(([category, micros]) => ({ category, ms: micros / 1000, share: busy > 0 ? micros / busy : 0 }))
    .sort((a, b) => b.ms - a.ms);
  return { total: total / 1000, busy: busy / 1000, rows };
}
