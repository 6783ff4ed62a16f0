import { describe, expect, it } from 'vitest';
import { ConfigurationError, EMULATOR_COSMOS_KEY, isLocalRun, loadConfig, loadServiceBusSettings, sagaSweepSchedule } from '../../src/config';

const base = { COSMOS_ENDPOINT: 'http://localhost:8081' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(base)).toEqual({
      cosmos: { endpoint: 'http://localhost:8081', key: EMULATOR_COSMOS_KEY, database: 'petstore', provisionContainers: true },
      serviceBus: { kind: 'none' },
      allowFailureSimulation: true,
      seedCatalogOnStart: true,
      pendingOrderRepublishAfterSeconds: 60,
      orderPublishTimeoutMs: 3_000,
      stuckSagaAfterSeconds: 300,
    });
  });

  it('reads the publish timeout and the stuck-saga threshold, within their bounds', () => {
    const config = loadConfig({ ...base, ORDER_PUBLISH_TIMEOUT_MS: '500', STUCK_SAGA_AFTER_SECONDS: '2' });
    expect(config).toMatchObject({ orderPublishTimeoutMs: 500, stuckSagaAfterSeconds: 2 });
    expect(() => loadConfig({ ...base, ORDER_PUBLISH_TIMEOUT_MS: '120000' })).toThrow(/ORDER_PUBLISH_TIMEOUT_MS/);
    expect(() => loadConfig({ ...base, STUCK_SAGA_AFTER_SECONDS: '0' })).toThrow(/STUCK_SAGA_AFTER_SECONDS/);
  });

  it('makes the sweeper schedule from SAGA_SWEEP_INTERVAL_SECONDS, every 30 s by default', () => {
    expect(sagaSweepSchedule({})).toBe('*/30 * * * * *');
    expect(sagaSweepSchedule({ SAGA_SWEEP_INTERVAL_SECONDS: '2' })).toBe('*/2 * * * * *');
    expect(() => sagaSweepSchedule({ SAGA_SWEEP_INTERVAL_SECONDS: '7' })).toThrow(ConfigurationError);
    expect(() => sagaSweepSchedule({ SAGA_SWEEP_INTERVAL_SECONDS: '7' })).toThrow(/SAGA_SWEEP_INTERVAL_SECONDS: must be one of 1, 2/);
  });

  it('prefers a Service Bus connection string to the embedded broker, and treats blank settings as absent', () => {
    expect(loadConfig({ ...base, ServiceBusConnection: 'Endpoint=sb://x/;', EMBEDDED_SERVICEBUS_URL: 'http://127.0.0.1:7071/servicebus' }).serviceBus).toEqual({
      kind: 'namespace',
      connectionString: 'Endpoint=sb://x/;',
    });
    expect(loadConfig({ ...base, ServiceBusConnection: '', EMBEDDED_SERVICEBUS_URL: 'http://127.0.0.1:7071/servicebus' }).serviceBus).toEqual({
      kind: 'embedded',
      url: 'http://127.0.0.1:7071/servicebus',
    });
  });

  it.each([
    ['false', false],
    ['False', false],
    [' FALSE ', false],
    ['0', false],
    ['no', false],
    ['True', true],
    ['yes', true],
  ])('reads the boolean %j as %s', (value, expected) => {
    expect(loadConfig({ ...base, ALLOW_FAILURE_SIMULATION: value }).allowFailureSimulation).toBe(expected);
  });

  it('fails with the name of every bad setting', () => {
    const attempt = () => loadConfig({ COSMOS_ENDPOINT: 'not a url', ALLOW_FAILURE_SIMULATION: 'maybe', PENDING_ORDER_REPUBLISH_AFTER_SECONDS: '1' });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/COSMOS_ENDPOINT/);
    expect(attempt).toThrow(/ALLOW_FAILURE_SIMULATION: must be true or false/);
    expect(attempt).toThrow(/PENDING_ORDER_REPUBLISH_AFTER_SECONDS/);
  });

  it('requires a Cosmos DB endpoint', () => {
    expect(() => loadConfig({})).toThrow(/COSMOS_ENDPOINT/);
  });

  it('reads the identity form of the Service Bus connection when no connection string is set', () => {
    const identity = {
      ...base,
      ServiceBusConnection__fullyQualifiedNamespace: 'petstore.servicebus.windows.net',
      ServiceBusConnection__credential: 'managedidentity',
      ServiceBusConnection__clientId: '00000000-1111-2222-3333-444444444444',
      EMBEDDED_SERVICEBUS_URL: 'http://127.0.0.1:7071/servicebus',
    };
    expect(loadConfig(identity).serviceBus).toEqual({
      kind: 'identity',
      fullyQualifiedNamespace: 'petstore.servicebus.windows.net',
      clientId: '00000000-1111-2222-3333-444444444444',
    });
    expect(loadConfig({ ...base, ServiceBusConnection__fullyQualifiedNamespace: 'petstore.servicebus.windows.net' }).serviceBus).toEqual({
      kind: 'identity',
      fullyQualifiedNamespace: 'petstore.servicebus.windows.net',
    });
    // As in the Functions host, a connection string wins over the identity form.
    expect(loadConfig({ ...identity, ServiceBusConnection: 'Endpoint=sb://x/;' }).serviceBus).toEqual({ kind: 'namespace', connectionString: 'Endpoint=sb://x/;' });
  });

  it('refuses a namespace given as a URL or a credential it cannot use', () => {
    expect(() => loadConfig({ ...base, ServiceBusConnection__fullyQualifiedNamespace: 'sb://petstore.servicebus.windows.net/' })).toThrow(
      /ServiceBusConnection__fullyQualifiedNamespace: must be a host name/,
    );
    expect(() => loadConfig({ ...base, ServiceBusConnection__credential: 'password' })).toThrow(/ServiceBusConnection__credential: must be managedidentity/);
  });

  describe('Cosmos DB credentials', () => {
    const azure = { COSMOS_ENDPOINT: 'https://petstore.documents.azure.com:443/' };

    it('stops start-up for an Azure endpoint without a key or an identity, saying what to set', () => {
      const attempt = () => loadConfig(azure);
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(/https:\/\/petstore\.documents\.azure\.com:443\/ is not a local emulator/);
      expect(attempt).toThrow(/COSMOS_CREDENTIAL=managedidentity/);
      expect(attempt).toThrow(/COSMOS_KEY/);
    });

    it('uses the emulator key only for local endpoints', () => {
      expect(loadConfig({ COSMOS_ENDPOINT: 'https://localhost:8081' }).cosmos).toMatchObject({ key: EMULATOR_COSMOS_KEY });
      expect(loadConfig({ COSMOS_ENDPOINT: 'http://cosmos:8081' }).cosmos).toMatchObject({ key: EMULATOR_COSMOS_KEY });
    });

    it('takes an identity, with the client id of a user-assigned one, and then only checks the containers', () => {
      expect(loadConfig({ ...azure, COSMOS_CREDENTIAL: 'managedidentity', COSMOS_CLIENT_ID: 'client-1' }).cosmos).toEqual({
        endpoint: azure.COSMOS_ENDPOINT,
        database: 'petstore',
        identity: { clientId: 'client-1' },
        provisionContainers: false,
      });
      expect(loadConfig({ ...azure, COSMOS_CREDENTIAL: 'managedidentity' }).cosmos).toMatchObject({ identity: {} });
    });

    it('takes a key for an Azure account', () => {
      expect(loadConfig({ ...azure, COSMOS_KEY: 'account-key' }).cosmos).toEqual({
        endpoint: azure.COSMOS_ENDPOINT,
        database: 'petstore',
        key: 'account-key',
        provisionContainers: false,
      });
    });

    it('refuses a key and an identity together, and an unknown credential', () => {
      expect(() => loadConfig({ ...azure, COSMOS_KEY: 'k', COSMOS_CREDENTIAL: 'managedidentity' })).toThrow(/COSMOS_KEY and COSMOS_CREDENTIAL are both set/);
      expect(() => loadConfig({ ...azure, COSMOS_CREDENTIAL: 'key' })).toThrow(/COSMOS_CREDENTIAL: must be managedidentity/);
    });

    it('provisions containers by default only for local endpoints, and either way when told', () => {
      expect(loadConfig(base).cosmos.provisionContainers).toBe(true);
      expect(loadConfig({ ...base, COSMOS_PROVISION_CONTAINERS: 'False' }).cosmos.provisionContainers).toBe(false);
      expect(loadConfig({ ...azure, COSMOS_KEY: 'k', COSMOS_PROVISION_CONTAINERS: 'true' }).cosmos.provisionContainers).toBe(true);
      expect(() => loadConfig({ ...base, COSMOS_PROVISION_CONTAINERS: 'sometimes' })).toThrow(/COSMOS_PROVISION_CONTAINERS: must be true or false/);
    });
  });

  it('reads the Service Bus settings alone for tools that need no database', () => {
    expect(loadServiceBusSettings({ ServiceBusConnection__fullyQualifiedNamespace: 'petstore.servicebus.windows.net' })).toEqual({
      kind: 'identity',
      fullyQualifiedNamespace: 'petstore.servicebus.windows.net',
    });
    expect(loadServiceBusSettings({})).toEqual({ kind: 'none' });
    expect(() => loadServiceBusSettings({ ServiceBusConnection__credential: 'x' })).toThrow(ConfigurationError);
  });
});

describe('demo switches default to on only for a local run', () => {
  const azureAccount = { COSMOS_ENDPOINT: 'https://petstore.documents.azure.com:443/', COSMOS_KEY: 'k' };
  const switches = (env: NodeJS.ProcessEnv) => {
    const config = loadConfig(env);
    return { allowFailureSimulation: config.allowFailureSimulation, seedCatalogOnStart: config.seedCatalogOnStart };
  };
  const on = { allowFailureSimulation: true, seedCatalogOnStart: true };
  const off = { allowFailureSimulation: false, seedCatalogOnStart: false };

  it.each([
    ['the embedded host (it advertises its broker)', { ...azureAccount, EMBEDDED_SERVICEBUS_URL: 'http://127.0.0.1:7071/servicebus' }],
    ['func start (Core Tools sets Development)', { ...azureAccount, AZURE_FUNCTIONS_ENVIRONMENT: 'Development' }],
    ['the Cosmos DB emulator on this machine', { COSMOS_ENDPOINT: 'http://127.0.0.1:8081' }],
    ['the Cosmos DB emulator on localhost', { COSMOS_ENDPOINT: 'https://localhost:8081/' }],
  ])('on for %s', (_run, env) => {
    expect(isLocalRun(env)).toBe(true);
    expect(switches(env)).toEqual(on);
  });

  it.each([
    ['a Function App on Azure', { ...azureAccount, WEBSITE_SITE_NAME: 'petstore-func', AZURE_FUNCTIONS_ENVIRONMENT: 'Production' }],
    [
      'Azure even with Development and a loopback setting',
      { COSMOS_ENDPOINT: 'http://localhost:8081', WEBSITE_SITE_NAME: 'petstore-func', AZURE_FUNCTIONS_ENVIRONMENT: 'Development' },
    ],
    ['a container elsewhere against a real account', { ...azureAccount, ServiceBusConnection: 'Endpoint=sb://x/;' }],
    ['Production set explicitly', { ...azureAccount, AZURE_FUNCTIONS_ENVIRONMENT: 'Production' }],
  ])('off for %s', (_run, env) => {
    expect(isLocalRun(env)).toBe(false);
    expect(switches(env)).toEqual(off);
  });

  it('lets an explicit setting win either way', () => {
    expect(switches({ ...azureAccount, WEBSITE_SITE_NAME: 'app', ALLOW_FAILURE_SIMULATION: 'true', SEED_CATALOG_ON_START: 'yes' })).toEqual(on);
    expect(switches({ COSMOS_ENDPOINT: 'http://localhost:8081', ALLOW_FAILURE_SIMULATION: 'false', SEED_CATALOG_ON_START: '0' })).toEqual(off);
  });
});
