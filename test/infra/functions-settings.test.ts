import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMULATOR_COSMOS_KEY, loadConfig, SERVICE_BUS_CONNECTION_SETTING } from '../../src/config';
import { readJson, repoPath } from './repo';

interface HostJson {
  version: string;
  extensionBundle: { id: string; version: string };
  extensions: {
    http: { routePrefix: string };
    durableTask: { hubName: string };
    serviceBus: Record<string, unknown>;
  };
}
interface LocalSettings {
  IsEncrypted: boolean;
  Values: Record<string, string>;
  Host: { LocalHttpPort: number; CORS: string };
}

/**
 * The settings src/config.ts reads, taken from its schema's keys, so a new setting that is missing
 * from the sample fails here rather than on someone's first `func start`.
 */
function settingsReadByConfig(): string[] {
  const source = readFileSync(repoPath('src', 'config.ts'), 'utf8');
  const schema = /const SettingsSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source);
  if (!schema) throw new Error('src/config.ts no longer declares `const SettingsSchema = z.object({...})`');
  const keys = [...schema[1].matchAll(/^ {2}(\[[A-Z_]+\]|[A-Za-z_][A-Za-z0-9_]*)\s*:/gm)].map((match) => match[1]);
  return keys.map((key) => (key === '[SERVICE_BUS_CONNECTION_SETTING]' ? SERVICE_BUS_CONNECTION_SETTING : key));
}

describe('host.json', () => {
  const host = readJson(repoPath('host.json')) as HostJson;

  it('targets Functions 2.0+ with an extension bundle recent enough for the Service Bus emulator', () => {
    expect(host.version).toBe('2.0');
    expect(host.extensionBundle).toEqual({ id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' });
  });

  it('serves HTTP under /api and names its own task hub', () => {
    expect(host.extensions.http.routePrefix).toBe('api');
    // Letters and digits, starting with a letter: the Durable extension rejects anything else.
    expect(host.extensions.durableTask.hubName).toMatch(/^[A-Za-z][A-Za-z0-9]{2,49}$/);
  });

  it('completes Service Bus messages on success and processes up to 16 at once', () => {
    expect(host.extensions.serviceBus).toMatchObject({ autoCompleteMessages: true, maxConcurrentCalls: 16 });
    expect(host.extensions.serviceBus).not.toHaveProperty('transportType', 'amqpWebSockets');
  });
});

describe('local.settings.sample.json', () => {
  const sample = readJson(repoPath('local.settings.sample.json')) as LocalSettings;

  it('runs the Node worker against Azurite on port 7071', () => {
    expect(sample.Values).toMatchObject({
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    });
    expect(sample.Host).toEqual({ LocalHttpPort: 7071, CORS: '*' });
  });

  it('has every setting src/config.ts reads', () => {
    const read = settingsReadByConfig();
    expect(read).toContain(SERVICE_BUS_CONNECTION_SETTING);
    expect(read.filter((name) => !(name in sample.Values))).toEqual([]);
  });

  it('is accepted by loadConfig and points at the local emulators', () => {
    const config = loadConfig(sample.Values);
    expect(config.cosmos).toEqual({ endpoint: 'http://localhost:8081', key: EMULATOR_COSMOS_KEY, database: 'petstore' });
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
