import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/local-host/clock';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { fixture, globalList, waitFor } from './helpers';

interface Tick {
  name: string;
  at: number;
  timer: { isPastDue: boolean; schedule: { adjustForDST: boolean }; scheduleStatus: { last: string; next: string; lastUpdated: string } };
}

const ticks = globalList<Tick>('__timerTicks');
let host: RunningHost | undefined;

afterEach(async () => {
  await host?.stop();
  host = undefined;
  ticks.length = 0;
});

const named = (name: string) => ticks.filter((t) => t.name === name);

describe('timer triggers', () => {
  it('fires a six-field schedule every second with the timer value the worker passes', async () => {
    host = await startHost({ appDir: fixture('timer-app'), port: 0, quiet: true, env: { TICK_SCHEDULE: '*/1 * * * * *' } });
    expect(host.banner).toContain('ticker: timerTrigger "*/1 * * * * *"');
    expect(host.banner).toContain('onStartup: timerTrigger "0 0 0 1 1 *" (runs on start-up)');
    await waitFor(() => named('ticker').length >= 2, 'two ticks', 5_000);
    const [first, second] = named('ticker') as [Tick, Tick];
    expect(second.at - first.at).toBeGreaterThanOrEqual(900);
    expect(first.timer).toEqual({
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: { last: expect.any(String), next: expect.any(String), lastUpdated: expect.any(String) },
    });
    expect(Date.parse(first.timer.scheduleStatus.next) - Date.parse(second.timer.scheduleStatus.next)).toBe(-1000);
  });

  it('runs a runOnStartup timer once at start-up', async () => {
    host = await startHost({ appDir: fixture('timer-app'), port: 0, quiet: true, env: { TICK_SCHEDULE: '0 0 0 1 1 *' } });
    await waitFor(() => named('onStartup').length === 1, 'the start-up run');
    expect(named('onStartup')[0]?.timer.isPastDue).toBe(false);
  });

  it('jumps over long waits with the virtual clock when the host is idle', async () => {
    const start = new Date('2024-03-01T00:00:00Z');
    const clock = createVirtualClock({ start });
    host = await startHost({ appDir: fixture('timer-app'), port: 0, quiet: true, clock, env: { TICK_SCHEDULE: '0 0 */6 * * *' } });
    await waitFor(() => named('ticker').length >= 3, 'three six-hourly ticks', 5_000);
    expect(named('ticker').map((t) => t.timer.scheduleStatus.next).slice(0, 3)).toEqual([
      '2024-03-01T12:00:00.000Z',
      '2024-03-01T18:00:00.000Z',
      '2024-03-02T00:00:00.000Z',
    ]);
    expect(clock.now().getTime() - start.getTime()).toBeGreaterThanOrEqual(18 * 3_600_000);
  });

  it('fails start-up with a clear message when a schedule setting is missing', async () => {
    delete process.env.TICK_SCHEDULE;
    await expect(startHost({ appDir: fixture('timer-app'), port: 0, quiet: true })).rejects.toThrow(/the app setting in "%TICK_SCHEDULE%" is not set/);
  });
});
