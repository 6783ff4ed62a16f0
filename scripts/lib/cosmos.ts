import type { AppConfig } from '../../src/config';
import { connectCosmos, type CosmosConnection } from '../../src/data';
import { probeTcp } from './net';

const CONNECT_TIMEOUT_MS = 90_000;

/**
 * Connects to Cosmos DB and ensures the database and containers, failing with a message that says what
 * to do. A plain TCP probe first, because the SDK retries an unreachable endpoint for a long time.
 */
export async function connectForScript(cosmos: AppConfig['cosmos']): Promise<CosmosConnection> {
  const url = new URL(cosmos.endpoint);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const probe = await probeTcp(url.hostname, port);
  if (probe) {
    throw new Error(
      `Cosmos DB is unreachable at ${cosmos.endpoint} (${probe}). Start the emulator (docker compose up -d cosmos) ` +
        'or set COSMOS_ENDPOINT to a reachable account.',
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Cosmos DB at ${cosmos.endpoint} did not answer within ${CONNECT_TIMEOUT_MS / 1000}s; is the emulator still starting?`)),
      CONNECT_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([connectCosmos(cosmos), timeout]);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not prepare database "${cosmos.database}" at ${cosmos.endpoint}: ${detail}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
