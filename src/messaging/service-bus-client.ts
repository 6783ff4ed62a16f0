import type { TokenCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';
import { createAzureCredential } from '../azure-credential';
import type { ServiceBusSettings } from '../config';

/** The two ways to reach a real namespace (Azure or the emulator): a connection string, or a host name and an identity. */
export type NamespaceSettings = Extract<ServiceBusSettings, { kind: 'namespace' | 'identity' }>;

/**
 * One client for either form. The SDK's default transport is AMQP over TCP; WebSockets would not reach the
 * emulator. With the identity form the credential is the app's managed identity on Azure (`clientId` picks
 * the user-assigned one) and the developer's sign-in elsewhere.
 */
export function createServiceBusClient(
  settings: NamespaceSettings,
  credentialFor: (clientId?: string) => TokenCredential = createAzureCredential,
): ServiceBusClient {
  if (settings.kind === 'namespace') return new ServiceBusClient(settings.connectionString);
  return new ServiceBusClient(settings.fullyQualifiedNamespace, credentialFor(settings.clientId));
}

/** Where a client goes, for logs and script output; never the connection string, which holds a key. */
export function describeNamespace(settings: NamespaceSettings): string {
  if (settings.kind === 'identity') {
    return `${settings.fullyQualifiedNamespace} (identity${settings.clientId ? ` ${settings.clientId}` : ''})`;
  }
  const endpoint = /Endpoint=sb:\/\/([^/;]+)/i.exec(settings.connectionString)?.[1];
  return `${endpoint ?? 'the namespace'} (connection string)`;
}
