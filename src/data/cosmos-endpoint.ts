const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname.toLowerCase());
}

/**
 * An endpoint is an emulator when it is on this machine or speaks plain http (Azure accounts are https only):
 * the vNext emulator (http), the classic emulator (https, self-signed) and @vercel/cosmosdb-server.
 * Kept free of the SDK so the settings module can decide with it before any client exists.
 */
export function isLocalCosmosEndpoint(endpoint: string): boolean {
  const url = new URL(endpoint);
  return url.protocol === 'http:' || isLoopbackUrl(url);
}
