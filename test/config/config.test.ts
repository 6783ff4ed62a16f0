import { describe, expect, it } from 'vitest';
import { ConfigurationError, EMULATOR_COSMOS_KEY, loadConfig } from '../../src/config';

const base = { COSMOS_ENDPOINT: 'http://localhost:8081' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(base)).toEqual({
      cosmos: { endpoint: 'http://localhost:8081', key: EMULATOR_COSMOS_KEY, database: 'petstore' },
      serviceBus: { kind: 'none' },
      allowFailureSimulation: true,
      seedCatalogOnStart: true,
      pendingOrderRepublishAfterSeconds: 60,
    });
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
});
