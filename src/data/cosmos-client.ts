import https from 'node:https';
import { CosmosClient, type CosmosClientOptions } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import { createAzureCredential } from '../azure-credential';
import type { CosmosCredentialSettings } from '../config';
import { tracedHttpClient } from '../telemetry/traced-http-client';
import { isLocalCosmosEndpoint, isLoopbackUrl } from './cosmos-endpoint';

export { isLocalCosmosEndpoint } from './cosmos-endpoint';

type CosmosTransport = NonNullable<CosmosClientOptions['httpClient']>;

/**
 * The transport a local host registered for this endpoint, if any: the embedded host serves its Cosmos DB in
 * the same process and leaves an `HttpClient` that calls it directly, under a process-wide symbol, so this
 * module never depends on the host. On Azure there is none and the SDK uses its own HTTP client.
 */
function registeredTransport(endpoint: string): CosmosTransport | undefined {
  const registry = (globalThis as Record<symbol, unknown>)[Symbol.for('functions-embedded-host.cosmos-transports')];
  if (!(registry instanceof Map)) return undefined;
  const transport: unknown = registry.get(new URL(endpoint).origin);
  return transport && typeof (transport as CosmosTransport).sendRequest === 'function' ? (transport as CosmosTransport) : undefined;
}

/** An endpoint and either the account key or an identity (Entra ID with Cosmos DB data-plane RBAC). */
export type CosmosSettings = CosmosCredentialSettings & { endpoint: string };

/**
 * One client for Azure and every local stand-in.
 *
 * Endpoint discovery is turned off for local endpoints because emulators advertise a writable location the
 * caller cannot use: @vercel/cosmosdb-server advertises `https://host:port/` even when it serves http (the SDK
 * then fails with EPROTO), and the classic emulator in a container advertises its container address
 * (172.17.x.x), unreachable from the host. A local emulator has a single region, so nothing is lost.
 *
 * An endpoint served in this process by the embedded host is reached through the transport it registered.
 *
 * The classic emulator's self-signed certificate is accepted only on loopback hosts, so a misconfigured
 * production endpoint can never silently skip TLS verification.
 */
export function createCosmosClient(
  settings: CosmosSettings,
  credentialFor: (clientId?: string) => TokenCredential = createAzureCredential,
): CosmosClient {
  const url = new URL(settings.endpoint);
  const options: CosmosClientOptions =
    'key' in settings
      ? { endpoint: settings.endpoint, key: settings.key }
      : { endpoint: settings.endpoint, aadCredentials: credentialFor(settings.identity.clientId) };
  if (isLocalCosmosEndpoint(settings.endpoint)) {
    options.connectionPolicy = { enableEndpointDiscovery: false };
    const transport = registeredTransport(settings.endpoint);
    if (transport) options.httpClient = tracedHttpClient(transport, 'cosmosdb');
  }
  if (url.protocol === 'https:' && isLoopbackUrl(url)) {
    options.agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  }
  return new CosmosClient(options);
}
