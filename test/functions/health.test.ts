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
  it('answers 200 with every check ok when the database answers and a broker is configured', async () => {
    const response = await health((log) => checkAppHealth(async () => appUnderTest.services, log));
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
