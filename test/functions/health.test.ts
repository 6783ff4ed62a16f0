import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAppHealth, createAppServices } from '../../src/app-services';
import { loadConfig } from '../../src/config';
import { healthHandler } from '../../src/functions/health';
import { startAppUnderTest, type AppUnderTest } from './support/app-under-test';
import { captureLogs, httpRequest, invocationContext, readResponse } from './support/http';
import { RecordingPublisher } from './support/recording-publisher';

let appUnderTest: AppUnderTest;
beforeAll(async () => {
  appUnderTest = await startAppUnderTest();
});
afterAll(async () => {
  await appUnderTest?.close();
});

async function health(check: Parameters<typeof healthHandler>[0], logs = captureLogs()) {
  return readResponse(await healthHandler(check)(httpRequest({ path: '/api/health' }), invocationContext('health', logs)));
}

describe('GET /api/health', () => {
  it('answers 200 with every check ok when the database and the broker answer', async () => {
    const answering = { check: async () => undefined, close: async () => undefined };
    const services = { ...appUnderTest.services, brokerProbe: answering };
    const response = await health((log) => checkAppHealth(async () => services, log));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok', checks: { config: 'ok', cosmos: 'ok', serviceBus: 'ok' } });
    expect(response.headers.get('x-correlation-id')).toBeTruthy();
  });

  it('answers 503 with a problem document naming the failed checks when the services cannot start', async () => {
    const logs = captureLogs();
    const response = await health(
      (log) =>
        checkAppHealth(async () => {
          throw new Error('Invalid app settings: COSMOS_ENDPOINT: must be the Cosmos DB account URL');
        }, log),
      logs,
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.json).toMatchObject({
      status: 503,
      title: 'Service Unavailable',
      checks: { config: 'failed', cosmos: 'failed', serviceBus: 'failed' },
    });
    expect(response.text).not.toContain('COSMOS_ENDPOINT');
    expect(logs.text()).toContain('COSMOS_ENDPOINT');
  });

  it('answers 503 when no message broker is configured', async () => {
    const config = loadConfig({ COSMOS_ENDPOINT: appUnderTest.server.endpoint, COSMOS_DATABASE: appUnderTest.services.config.cosmos.database });
    const services = await createAppServices(config, { publisher: new RecordingPublisher() });
    const response = await health((log) => checkAppHealth(async () => services, log));
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({ checks: { config: 'ok', cosmos: 'ok', serviceBus: 'not-configured' } });
  });
});

describe('GET /api/health: the broker must answer, not just be configured', () => {
  const settings = () => ({ COSMOS_ENDPOINT: appUnderTest.server.endpoint, COSMOS_DATABASE: appUnderTest.services.config.cosmos.database });

  it('answers 503 naming serviceBus when the namespace in the connection string does not answer', async () => {
    // A port nothing listens on: the connection string is well-formed, the namespace is not there.
    const config = loadConfig({
      ...settings(),
      ServiceBusConnection: 'Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
    });
    const services = await createAppServices(config, { publisher: new RecordingPublisher() });
    const logs = captureLogs();
    const started = Date.now();
    try {
      const response = await health((log) => checkAppHealth(async () => services, log), logs);
      expect(response.status).toBe(503);
      expect(response.json).toMatchObject({ detail: 'Not ready: serviceBus.', checks: { config: 'ok', cosmos: 'ok', serviceBus: 'failed' } });
      expect(logs.text()).toMatch(/serviceBus failed: Service Bus did not answer a peek on "orders"/);
      expect(Date.now() - started).toBeLessThan(6_000);
    } finally {
      await services.brokerProbe?.close();
    }
  });

  it('answers 503 naming serviceBus when the embedded broker does not answer', async () => {
    const config = loadConfig({ ...settings(), EMBEDDED_SERVICEBUS_URL: 'http://127.0.0.1:1/servicebus' });
    const services = await createAppServices(config, { publisher: new RecordingPublisher() });
    const response = await health((log) => checkAppHealth(async () => services, log));
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({ checks: { config: 'ok', cosmos: 'ok', serviceBus: 'failed' } });
  });

  it('reports cosmos and serviceBus separately when only the database fails', async () => {
    const answering = { check: async () => undefined, close: async () => undefined };
    const config = loadConfig({ COSMOS_ENDPOINT: 'http://127.0.0.1:1/', EMBEDDED_SERVICEBUS_URL: 'http://127.0.0.1:1/servicebus' });
    const services = { ...appUnderTest.services, config, brokerProbe: answering };
    const brokenCosmos = { ...services, cosmos: { ...services.cosmos, client: { database: () => ({ read: async () => Promise.reject(new Error('down')) }) } } };
    const response = await health((log) => checkAppHealth(async () => brokenCosmos as unknown as typeof services, log));
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({ detail: 'Not ready: cosmos.', checks: { config: 'ok', cosmos: 'failed', serviceBus: 'ok' } });
  });
});
