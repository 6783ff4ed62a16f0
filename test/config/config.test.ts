import { describe, expect, it } from 'vitest';
import { ConfigurationError, EMULATOR_COSMOS_KEY, loadConfig, sagaSweepSchedule } from '../../src/config';

const base = { COSMOS_ENDPOINT: 'http://localhost:8081' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(base)).toEqual({
      cosmos: { endpoint: 'http://localhost:8081', key: EMULATOR_COSMOS_KEY, database: 'petstore' },
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
});
