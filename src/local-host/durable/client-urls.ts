/**
 * The URLs and binding value of the durable client (EXT HttpApiHandler.GetInstanceCreationLinks /
 * GetClientResponseLinks, Bindings/ DurableOrchestrationClientToString). DF prefers `rpcBaseUrl` for its
 * calls and uses the templates for createCheckStatusResponse.
 */

export const webhookPath = '/runtime/webhooks/durabletask';
export const rpcPath = '/durabletask';
/** The connection name the extension reports by default (the Azure Storage provider's). */
const connectionName = 'Storage';
const instanceIdPlaceholder = 'INSTANCEID';

export interface ManagementUrls {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

/** The 202 body of a start (EXT CreateCheckStatusResponseMessage): the management URLs minus rewind. */
export type CheckStatusBody = Omit<ManagementUrls, 'rewindPostUri'>;

function trimOrigin(origin: string): string {
  return origin.replace(/\/+$/, '');
}

export function managementUrls(origin: string, hubName: string, instanceId: string): ManagementUrls {
  const prefix = `${trimOrigin(origin)}${webhookPath}/instances/${instanceId}`;
  const query = `taskHub=${encodeURIComponent(hubName)}&connection=${connectionName}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${prefix}?${query}`,
    sendEventPostUri: `${prefix}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${prefix}/terminate?reason={text}&${query}`,
    rewindPostUri: `${prefix}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${prefix}?${query}`,
    restartPostUri: `${prefix}/restart?${query}`,
    suspendPostUri: `${prefix}/suspend?reason={text}&${query}`,
    resumePostUri: `${prefix}/resume?reason={text}&${query}`,
  };
}

export function checkStatusBody(origin: string, hubName: string, instanceId: string): CheckStatusBody {
  const { rewindPostUri: _rewind, ...body } = managementUrls(origin, hubName, encodeURIComponent(instanceId));
  return { ...body, id: instanceId };
}

/** The `durableClient` input binding value DF's getClient reads. */
export function clientBindingData(origin: string, hubName: string): Record<string, unknown> {
  const base = `${trimOrigin(origin)}${webhookPath}`;
  return {
    taskHubName: hubName,
    // Locally the extension's required query string (the system key) is empty.
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&`,
    },
    managementUrls: managementUrls(origin, hubName, instanceIdPlaceholder),
    baseUrl: base,
    requiredQueryStringParameters: '',
    // DF resolves relative paths against it, so it must end with '/'.
    rpcBaseUrl: `${trimOrigin(origin)}${rpcPath}/`,
    httpBaseUrl: null,
    connectionName: null,
  };
}
