import type { CosmosSettings } from '../../src/data/cosmos-client';
import type { HostProcess } from './host-process';
import { benchOrderBody, placeOrder } from './order-client';
import { restockTarget } from './restock';
import { watchSagaEnds, type SagaEndWatcher } from './saga-end-watcher';

/** The database the host uses, as its stats name it; undefined for a host without the stats endpoint. */
export async function hostDatabase(host: HostProcess): Promise<{ settings: CosmosSettings; database: string } | undefined> {
  if (!host.hasStats) return undefined;
  const stats = await host.stats();
  if (!stats.cosmos.endpoint) return undefined;
  const target = restockTarget(stats.cosmos);
  return { settings: target.cosmos, database: target.database };
}

/**
 * The one saga-end watcher for this host; says how it learns saga ends. One saga runs through it before it is
 * handed out, so a change feed that answers without serving (see silenceMs) is found out before anything is
 * measured, and the host's first, cold saga is not measured either. That saga's order stays in the store.
 */
export async function watcherFor(host: HostProcess, write: (line: string) => void = (line) => console.log(line)): Promise<SagaEndWatcher> {
  const cosmos = await hostDatabase(host);
  // A switch to polling during the first saga is said once, by the note below.
  let proving = true;
  const watcher = await watchSagaEnds({ baseUrl: host.url, ...(cosmos ? { cosmos } : {}), write: (line) => (proving ? undefined : write(line)) });
  const first = await placeOrder(host.url, benchOrderBody('orchestration', 0, 0), 'orchestration');
  await watcher.waitFor(first, Date.now() + 60_000);
  proving = false;
  write(watcher.note);
  return watcher;
}

/** Orders each watcherFor places. */
export const ORDERS_PER_WATCHER = 1;
