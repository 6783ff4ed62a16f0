import { describe, expect, it } from 'vitest';
import { EMULATOR_COSMOS_KEY, loadConfig, SERVICE_BUS_CONNECTION_SETTING, SERVICE_BUS_NAMESPACE_SETTING } from '../../src/config';
import { settingsReadByConfig } from './app-settings';
import { readJson, repoPath } from './repo';

interface HostJson {
  version: string;
  logging: { logLevel: Record<string, string> };
  extensionBundle: { id: string; version: string };
  extensions: {
    http: { routePrefix: string };
    durableTask: { hubName: string; storageProvider?: unknown };
    serviceBus: Record<string, unknown>;
  };
}
interface LocalSettings {
  IsEncrypted: boolean;
  Values: Record<string, string>;
  Host: { LocalHttpPort: number; CORS: string };
}

describe('host.json', () => {
  const host = readJson(repoPath('host.json')) as HostJson;

  it('targets Functions 2.0+ with an extension bundle recent enough for the Service Bus emulator', () => {
    expect(host.version).toBe('2.0');
    expect(host.extensionBundle).toEqual({ id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' });
  });

  it('serves HTTP under /api and takes the task hub name from TASKHUB_NAME', () => {
    expect(host.extensions.http.routePrefix).toBe('api');
    // A fixed name collides between apps or slots sharing a storage account; each deployment sets its own.
    expect(host.extensions.durableTask.hubName).toBe('%TASKHUB_NAME%');
  });

  it('keeps the Azure Storage provider, which app settings switch to the Durable Task Scheduler', () => {
    // AzureFunctionsJobHost__extensions__durableTask__storageProvider__* (infra/app/api.bicep, README) override it.
    expect(host.extensions.durableTask.storageProvider).toBeUndefined();
  });

  it('sends successful invocations to Application Insights', () => {
    // "Error" here would hide every successful invocation's request telemetry.
    expect(host.logging.logLevel['Host.Results']).toBe('Information');
  });

  it("completes Service Bus messages on success and leaves concurrency at the extension's 16 per core", () => {
    expect(host.extensions.serviceBus).toMatchObject({ autoCompleteMessages: true });
    // Every handler is I/O bound, so there is no reason to go below the default of 16 x cores.
    expect(host.extensions.serviceBus).not.toHaveProperty('maxConcurrentCalls');
    expect(host.extensions.serviceBus).not.toHaveProperty('transportType', 'amqpWebSockets');
  });
});

describe('local.settings.sample.json', () => {
  const sample = readJson(repoPath('local.settings.sample.json')) as LocalSettings;

  it('runs the Node worker against Azurite on port 7071, and refuses to start without a function file', () => {
    expect(sample.Values).toMatchObject({
      FUNCTIONS_WORKER_RUNTIME: 'node',
      FUNCTIONS_NODE_BLOCK_ON_ENTRY_POINT_ERROR: 'true',
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    });
    expect(sample.Host).toEqual({ LocalHttpPort: 7071, CORS: '*' });
  });

  it('names a task hub the Azure Storage provider accepts', () => {
    // Letters and digits, starting with a letter: the Durable extension rejects anything else.
    expect(sample.Values.TASKHUB_NAME).toMatch(/^[A-Za-z][A-Za-z0-9]{2,44}$/);
  });

  it('has every setting src/config.ts reads', () => {
    const read = settingsReadByConfig();
    expect(read).toContain(SERVICE_BUS_CONNECTION_SETTING);
    expect(read).toContain(SERVICE_BUS_NAMESPACE_SETTING);
    expect(read.filter((name) => !(name in sample.Values))).toEqual([]);
  });

  it('is accepted by loadConfig and points at the local emulators', () => {
    const config = loadConfig(sample.Values);
    expect(config.cosmos).toEqual({ endpoint: 'http://localhost:8081', key: EMULATOR_COSMOS_KEY, database: 'petstore', provisionContainers: true });
    expect(config.serviceBus).toEqual({
      kind: 'namespace',
      connectionString:
        'Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
    });
  });

  it('keeps values as strings, as the Functions host requires', () => {
    const notStrings = Object.entries(sample.Values).filter(([, value]) => typeof value !== 'string');
    expect(notStrings).toEqual([]);
  });
});
