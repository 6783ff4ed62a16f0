import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { fixture, json } from './helpers';

let host: RunningHost;

beforeAll(async () => {
  delete process.env.COSMOS_ENDPOINT;
  host = await startHost({ appDir: fixture('cosmos-app'), port: 0, quiet: true });
});

afterAll(async () => {
  await host?.stop();
});

describe('embedded Cosmos DB', () => {
  it('starts an in-memory server and hands its endpoint and key to the app before loading it', async () => {
    expect(host.cosmos.mode).toBe('embedded');
    expect(host.cosmos.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.COSMOS_ENDPOINT).toBe(host.cosmos.endpoint);
    expect(process.env.COSMOS_KEY).toBeTruthy();
    const created = await fetch(`${host.url}/api/notes/n1`, { method: 'POST', body: 'remember the milk' });
    expect(created.status).toBe(201);
    expect(await json(await fetch(`${host.url}/api/notes/n1`))).toEqual({ id: 'n1', text: 'remember the milk' });
  });

  it('is reachable with the real @azure/cosmos SDK', async () => {
    const client = new CosmosClient({ endpoint: host.cosmos.endpoint, key: 'any', connectionPolicy: { enableEndpointDiscovery: false } });
    const { resource } = await client.database('fixture').container('notes').item('n1', 'n1').read<{ text: string }>();
    expect(resource?.text).toBe('remember the milk');
    const { resources } = await client.database('fixture').container('notes').items.query('SELECT VALUE COUNT(1) FROM c').fetchAll();
    expect(resources).toEqual([1]);
  });

  it('uses a configured endpoint instead of starting one', async () => {
    const endpoint = host.cosmos.endpoint;
    await host.stop();
    host = await startHost({ appDir: fixture('cosmos-app'), port: 0, quiet: true, env: { COSMOS_ENDPOINT: 'http://127.0.0.1:1' } });
    expect(host.cosmos).toEqual({ mode: 'real', endpoint: 'http://127.0.0.1:1' });
    expect(host.banner).toContain('Cosmos DB:   real endpoint http://127.0.0.1:1');
    await expect(fetch(`${endpoint}/`)).rejects.toThrow();
  });
});
