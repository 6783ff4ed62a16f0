import { SAGA_CONTAINER_DEFINITIONS } from '../src/data';
import { ensureDemoCatalog } from '../src/services/catalog-service';
import { parseFlags, runScript } from './lib/cli';
import { connectForScript } from './lib/cosmos';
import { loadScriptSettings } from './lib/settings';

const USAGE = `Usage: npm run seed:db

Creates the Cosmos DB database and containers and the demo catalog when they are missing; running it again
changes nothing (existing products keep their stock). Settings come from the environment, then from
local.settings.json: COSMOS_ENDPOINT (required), COSMOS_KEY or COSMOS_CREDENTIAL=managedidentity (+ COSMOS_CLIENT_ID),
COSMOS_DATABASE. Against an Azure account (COSMOS_PROVISION_CONTAINERS=false, the default for a non-local
endpoint) the containers come from infra/ and are only checked; the catalog is written with your identity,
which needs the Cosmos DB data-plane role (azd provision grants it to the account that ran it).`;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), {});
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const { config, source } = loadScriptSettings();
  console.log(`Settings from ${source}; Cosmos DB ${config.cosmos.endpoint}, database "${config.cosmos.database}".`);

  const connection = await connectForScript(config.cosmos);
  try {
    const containers = Object.values(SAGA_CONTAINER_DEFINITIONS).map((definition) => definition.id);
    console.log(`Database "${config.cosmos.database}" and containers ${containers.join(', ')} are in place.`);

    const catalog = await ensureDemoCatalog(connection.repositories.products);
    console.log(
      `Demo catalog: ${catalog.created.length} product(s) created${listed(catalog.created)}, ` +
        `${catalog.existing.length} already there${listed(catalog.existing)}.`,
    );
  } finally {
    connection.client.dispose();
  }
}

function listed(ids: readonly string[]): string {
  return ids.length > 0 ? ` (${ids.join(', ')})` : '';
}

runScript(main, USAGE);
