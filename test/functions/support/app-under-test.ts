import { randomUUID } from 'node:crypto';
import { createAppServices, type AppServices } from '../../../src/app-services';
import { loadConfig } from '../../../src/config';
import { ensureDemoCatalog } from '../../../src/services/catalog-service';
import { startCosmosServer, type CosmosTestServer } from '../../support/cosmos-server';
import { RecordingPublisher } from './recording-publisher';

export interface AppUnderTest {
  server: CosmosTestServer;
  services: AppServices;
  publisher: RecordingPublisher;
  /** The same app with ALLOW_FAILURE_SIMULATION=false. */
  withoutSimulation(): Promise<AppServices>;
  close(): Promise<void>;
}

/** The real services over an in-process Cosmos DB (its own database), the demo catalog, and a recording publisher. */
export async function startAppUnderTest(): Promise<AppUnderTest> {
  const server = await startCosmosServer();
  const settings = {
    COSMOS_ENDPOINT: server.endpoint,
    COSMOS_KEY: server.key,
    COSMOS_DATABASE: `test-${randomUUID().slice(0, 8)}`,
    EMBEDDED_SERVICEBUS_URL: 'http://127.0.0.1:1/unused',
  };
  const publisher = new RecordingPublisher();
  const services = await createAppServices(loadConfig(settings), { publisher });
  await ensureDemoCatalog(services.repositories.products);
  return {
    server,
    services,
    publisher,
    withoutSimulation: () => createAppServices(loadConfig({ ...settings, ALLOW_FAILURE_SIMULATION: 'false' }), { publisher }),
    close: () => server.close(),
  };
}
