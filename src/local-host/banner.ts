/** The start-up banner, in the spirit of `func start`: what runs where, and how long start-up took. */
import path from 'node:path';
import type { RegisteredFunction } from './contracts';
import type { FaultPlan } from './faults/fault-plan';
import type { HttpTriggerRoute } from './http-triggers';
import { formatBytes, storeSizes, type StateLocation } from './storage/state-location';

export interface BannerInput {
  appDir: string;
  url: string;
  functions: RegisteredFunction[];
  httpRoutes: HttpTriggerRoute[];
  serviceBus: Array<{ fn: RegisteredFunction; entity: string; source: 'embedded' | 'azure'; connection: string }>;
  timers: Array<{ fn: RegisteredFunction; schedule: string; runOnStartup: boolean }>;
  cosmos: { mode: 'embedded' | 'real'; endpoint: string };
  serviceBusConfig?: string;
  durableHubName: string;
  startupMs: number;
  /** The fault plan, when one is on. */
  faults?: FaultPlan;
  /** Where the state is kept, and how much of it there is. */
  state?: { location: StateLocation; contents?: string };
}

function describeState(state: NonNullable<BannerInput['state']>, appDir: string): string {
  const { location } = state;
  if (location.kind === 'memory') return 'in memory: gone when the host stops (npm start keeps it in .data/)';
  const where = path.relative(appDir, location.dir) || '.';
  const sizes = storeSizes(location)
    .map(({ store, bytes }) => `${store} ${formatBytes(bytes)}`)
    .join(', ');
  return `${where.startsWith('..') ? location.dir : where}/ (${[state.contents, sizes].filter(Boolean).join('; ')}); npm run reset clears it`;
}

function describeFaults(plan: FaultPlan): string {
  const rates = Object.entries(plan.rates)
    .filter(([, rate]) => rate > 0)
    .map(([kind, rate]) => `${kind} ${rate}`);
  return `fault plan ON, seed ${plan.seed}: ${rates.length > 0 ? rates.join(', ') : 'every rate 0'} (counts at /admin/faults)`;
}

const durableKinds: Record<string, string> = {
  orchestrationtrigger: 'orchestrator',
  activitytrigger: 'activity',
  entitytrigger: 'entity',
};

function describe(fn: RegisteredFunction, input: BannerInput): string {
  const route = input.httpRoutes.find((r) => r.fn === fn);
  if (route) return `[${route.methods.join(',')}] ${input.url}/${route.path}`;
  const sb = input.serviceBus.find((s) => s.fn === fn);
  if (sb) {
    const where = sb.source === 'embedded' ? 'embedded broker' : `Azure via ${sb.connection}`;
    return `serviceBusTrigger ${sb.entity.includes('/subscriptions/') ? 'subscription' : 'queue'} ${sb.entity} (${where})`;
  }
  const timer = input.timers.find((t) => t.fn === fn);
  if (timer) return `timerTrigger "${timer.schedule}"${timer.runOnStartup ? ' (runs on start-up)' : ''}`;
  const durable = durableKinds[fn.trigger.type.toLowerCase()];
  if (durable) return `${fn.trigger.type} (${durable})`;
  return `${fn.trigger.type} (not dispatched by the embedded host)`;
}

export function formatBanner(input: BannerInput): string {
  const lines: string[] = ['', `Azure Functions embedded host · Node ${process.version} · ${input.appDir}`, '', 'Functions:', ''];
  const order = (fn: RegisteredFunction): number => {
    const type = fn.trigger.type.toLowerCase();
    if (type === 'httptrigger') return 0;
    if (type === 'servicebustrigger') return 1;
    if (type === 'timertrigger') return 2;
    if (type in durableKinds) return 3;
    return 4;
  };
  const sorted = [...input.functions].sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
  if (sorted.length === 0) lines.push('        (none registered)');
  for (const fn of sorted) lines.push(`        ${fn.name}: ${describe(fn, input)}`, '');
  const real = input.serviceBus.filter((s) => s.source === 'azure');
  const sbParts = [`embedded broker, send endpoint ${input.url}/servicebus/{entity}/messages (config: ${input.serviceBusConfig ?? 'none, every entity gets defaults'})`];
  if (real.length > 0) sbParts.push(`real namespace for ${real.map((s) => `${s.entity} (${s.connection})`).join(', ')}`);
  lines.push(
    `Cosmos DB:   ${input.cosmos.mode === 'embedded' ? `embedded at ${input.cosmos.endpoint}` : `real endpoint ${input.cosmos.endpoint}`}`,
    `Service Bus: ${sbParts.join('; ')}`,
    `Durable:     embedded task hub ${input.durableHubName}`,
    ...(input.state ? [`State:       ${describeState(input.state, input.appDir)}`] : []),
    ...(input.faults ? [`Faults:      ${describeFaults(input.faults)}`] : []),
    '',
    `Host started in ${Math.round(input.startupMs)} ms, listening on ${input.url}. Press Ctrl+C to stop.`,
    '',
  );
  return lines.join('\n');
}
