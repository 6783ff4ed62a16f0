import https from 'node:https';
import { CosmosClient, type CosmosClientOptions } from '@azure/cosmos';

export interface CosmosSettings {
  endpoint: string;
  key: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname.toLowerCase());
}

/**
 * An endpoint is an emulator when it is on this machine or speaks plain http (Azure accounts are https only):
 * the vNext emulator (http), the classic emulator (https, self-signed) and @vercel/cosmosdb-server.
 */
export function isLocalCosmosEndpoint(endpoint: string): boolean {
  const url = new URL(endpoint);
  return url.protocol === 'http:' || isLoopback(url);
}

/**
 * One client for Azure and every local stand-in.
 *
 * Endpoint discovery is turned off for local endpoints because emulators advertise a writable location the
 * caller cannot use: @vercel/cosmosdb-server advertises `https://host:port/` even when it serves http (the SDK
 * then fails with EPROTO), and the classic emulator in a container advertises its container address
 * (172.17.x.x), unreachable from the host. A local emulator has a single region, so nothing is lost.
 *
 * The classic emulator's self-signed certificate is accepted only on loopback hosts, so a misconfigured
 * production endpoint can never silently skip TLS verification.
 */
export function createCosmosClient(settings: CosmosSettings): CosmosClient {
  const url = new URL(settings.endpoint);
  const options: CosmosClientOptions = { endpoint: settings.endpoint, key: settings.key };
  if (isLocalCosmosEndpoint(settings.endpoint)) {
    options.connectionPolicy = { enableEndpointDiscovery: false };
  }
  if (url.protocol === 'https:' && isLoopback(url)) {
    options.agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  }
  return new CosmosClient(options);
}
