import { describe, expect, it } from 'vitest';
import { waitForChecks, waitingLine, type Check } from '../../scripts/wait-for-emulators';

/** A check that is not ready for its first `rounds` probes. */
function readyAfter(name: string, rounds: number, problem = 'ECONNREFUSED'): Check {
  let probes = 0;
  return { name, probe: async () => (++probes > rounds ? undefined : problem) };
}

describe('wait:emulators', () => {
  it('says what it is still waiting for, and what became ready', async () => {
    const lines: string[] = [];
    await waitForChecks([readyAfter('Azurite :10000', 0), readyAfter('Cosmos DB emulator', 2), readyAfter('Service Bus emulator', 4, 'HTTP 503')], {
      timeoutMs: 10_000,
      intervalMs: 5,
      reportEveryMs: 60_000,
      log: (line) => lines.push(line),
    });
    expect(lines[0]).toBe('ready: Azurite :10000');
    expect(lines[1]).toMatch(/^waiting for Cosmos DB emulator \(ECONNREFUSED\), Service Bus emulator \(HTTP 503\); \d+ s so far, giving up in \d+ s$/);
    expect(lines).toContain('ready: Cosmos DB emulator');
    expect(lines.filter((line) => line.startsWith('waiting for Service Bus emulator (HTTP 503);'))).toHaveLength(1);
    expect(lines.at(-1)).toBe('ready: Service Bus emulator');
  });

  it('repeats the waiting line every so often while nothing changes', async () => {
    const lines: string[] = [];
    await waitForChecks([readyAfter('Cosmos DB emulator', 20)], { timeoutMs: 10_000, intervalMs: 5, reportEveryMs: 20, log: (line) => lines.push(line) });
    expect(lines.filter((line) => line.startsWith('waiting for')).length).toBeGreaterThan(1);
  });

  it('gives up naming what is not ready', async () => {
    await expect(waitForChecks([readyAfter('Cosmos DB emulator', 1_000)], { timeoutMs: 30, intervalMs: 5, log: () => undefined })).rejects.toThrow(
      /Still not ready: Cosmos DB emulator \(ECONNREFUSED\)/,
    );
  });

  it('formats the remaining time', () => {
    expect(waitingLine([{ name: 'Azurite :10001', problem: 'ETIMEDOUT' }], 12_300, 287_700)).toBe('waiting for Azurite :10001 (ETIMEDOUT); 12 s so far, giving up in 288 s');
  });
});
