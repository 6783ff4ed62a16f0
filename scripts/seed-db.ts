import { SAGA_CONTAINER_DEFINITIONS } from '../src/data';
import { ensureDemoCatalog } from '../src/services/catalog-service';
import { parseFlags, runScript } from './lib/cli';
import { connectForScript } from './lib/cosmos';
import { loadScriptSettings } from './lib/settings';

const USAGE = `Usage: npm run seed:db

Creates the Cosmos DB database and containers and the demo catalog when they are missing; running it again
changes nothing (existing products keep their stock). Settings come from the environment, then from
local.settings.json: COSMOS_ENDPOINT (required), COSMOS_KEY, COSMOS_DATABASE.`;

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
