import type { CosmosSettings } from '../../src/data/cosmos-client';
import type { HostProcess } from './host-process';
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

/** The one saga-end watcher for this host; says how it learns saga ends. */
export async function watcherFor(host: HostProcess, write: (line: string) => void = (line) => console.log(line)): Promise<SagaEndWatcher> {
  const cosmos = await hostDatabase(host);
  const watcher = await watchSagaEnds({ baseUrl: host.url, ...(cosmos ? { cosmos } : {}) });
  write(watcher.note);
  return watcher;
}
