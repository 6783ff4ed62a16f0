import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

/**
 * The credential for the identity forms of the Cosmos DB and Service Bus settings. On Azure it is the app's
 * managed identity (`clientId` picks the user-assigned one); on a developer machine the same chain falls
 * through to `az login` or the editor's sign-in, so a script can reach a deployed account without a key.
 */
export function createAzureCredential(clientId?: string): TokenCredential {
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}
