import { describe, expect, it } from 'vitest';
import { startHost } from '../../src/local-host/host';
import { fixture, json } from './helpers';

describe('several hosts in one process', () => {
  it('refuses a second host while one runs, then starts the same and another app after stop', async () => {
    const first = await startHost({ appDir: fixture('http-basic'), port: 0, quiet: true });
    await expect(startHost({ appDir: fixture('cosmos-app'), port: 0, quiet: true })).rejects.toThrow(/Another embedded host is running/);
    expect(await json(await fetch(`${first.url}/api/items/1`))).toMatchObject({ id: '1' });
    await first.stop();

    // The same app again: its modules are reloaded, so its registrations reach the new host.
    const second = await startHost({ appDir: fixture('http-basic'), port: 0, quiet: true });
    try {
      expect(second.port).not.toBe(first.port);
      expect(second.functions.map((f) => f.name)).toContain('getItem');
      expect(await json(await fetch(`${second.url}/api/items/2`))).toMatchObject({ id: '2', url: `${second.url}/api/items/2` });
      expect(process.env.WEBSITE_HOSTNAME).toBe(`127.0.0.1:${second.port}`);
    } finally {
      await second.stop();
    }

    // A different app: nothing of the first one is left.
    const third = await startHost({ appDir: fixture('timer-app'), port: 0, quiet: true, env: { TICK_SCHEDULE: '0 0 0 1 1 *' } });
    try {
      expect(third.functions.map((f) => f.name).sort()).toEqual(['onStartup', 'slow', 'ticker']);
      expect((await fetch(`${third.url}/api/items/3`)).status).toBe(404);
    } finally {
      await third.stop();
    }
  });
});
