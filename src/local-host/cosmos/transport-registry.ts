/**
 * Where the host leaves its in-process Cosmos DB transports for the app's client to find: a process-wide map
 * from endpoint origin to `HttpClient`, under a global symbol, so the app never imports host code and on Azure
 * (no map, or no entry) builds its client exactly as before. src/data/cosmos-client.ts reads the same symbol.
 */
import type { HttpClient } from '@azure/core-rest-pipeline';

const registryKey = Symbol.for('functions-embedded-host.cosmos-transports');

function registry(): Map<string, HttpClient> {
  const holder = globalThis as unknown as Record<symbol, Map<string, HttpClient> | undefined>;
  let map = holder[registryKey];
  if (!map) {
    map = new Map();
    holder[registryKey] = map;
  }
  return map;
}

/** Registers the transport for an endpoint; returns what undoes it. */
export function registerCosmosTransport(endpoint: string, transport: HttpClient): () => void {
  const origin = new URL(endpoint).origin;
  const map = registry();
  map.set(origin, transport);
  return () => {
    if (map.get(origin) === transport) map.delete(origin);
  };
}
