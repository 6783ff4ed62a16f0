import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { fixture } from './helpers';

// A copy of the Durable fixture app whose host.json takes the hub name from a setting, as the app's does
// (%TASKHUB_NAME%). It sits inside the repository so that it resolves the repository's node_modules.
const appDir = mkdtempSync(path.join(path.dirname(fixture('durable-basics')), '.task-hub-'));
cpSync(fixture('durable-basics'), appDir, { recursive: true });
writeFileSync(
  path.join(appDir, 'host.json'),
  JSON.stringify({ version: '2.0', extensions: { http: { routePrefix: 'api' }, durableTask: { hubName: '%PETSTORE_TEST_HUB%' } } }),
);
afterAll(() => rmSync(appDir, { recursive: true, force: true }));

let host: RunningHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

async function taskHubOfNewInstance(running: RunningHost): Promise<string | null> {
  const response = await fetch(`${running.url}/api/start/Chain`, { method: 'POST', body: JSON.stringify('Oslo') });
  expect(response.status).toBe(202);
  const body = (await response.json()) as { statusQueryGetUri: string };
  return new URL(body.statusQueryGetUri).searchParams.get('taskHub');
}

describe('the task hub name from a %Setting% in host.json', () => {
  it('is the setting when it is set', async () => {
    host = await startHost({ appDir, port: 0, quiet: true, env: { PETSTORE_TEST_HUB: 'FromSetting' } });
    expect(await taskHubOfNewInstance(host)).toBe('FromSetting');
  });

  it('falls back to the default name when the setting is missing, instead of the unresolved %Setting%', async () => {
    delete process.env.PETSTORE_TEST_HUB;
    host = await startHost({ appDir, port: 0, quiet: true });
    expect(await taskHubOfNewInstance(host)).toBe('TestHubName');
  });
});
