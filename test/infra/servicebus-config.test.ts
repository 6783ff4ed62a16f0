import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/domain';
import { ALL_QUEUES, EVENT_ROUTES } from '../../src/messaging';
import { readJson, repoPath, sharedSchemaExists, sharedSchemaPath } from './repo';

interface EmulatorQueue {
  Name: string;
  Properties?: Record<string, unknown>;
}
interface EmulatorConfig {
  UserConfig: { Namespaces: { Name: string; Queues: EmulatorQueue[]; Topics: unknown[] }[]; Logging: { Type: string } };
}

const config = readJson(repoPath('servicebus', 'Config.json')) as EmulatorConfig;
const queues = config.UserConfig.Namespaces[0].Queues;

describe('servicebus/Config.json', () => {
  it('validates against the emulator schema', ({ skip }) => {
    skip(!sharedSchemaExists, `needs the emulator schema at ${sharedSchemaPath}, which this checkout does not have`);
    // The schema's name patterns use `[\w-\.]`, which only non-unicode regular expressions accept.
    const ajv = new Ajv({ unicodeRegExp: false, allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(sharedSchemaPath, 'utf8')) as object);
    const valid = validate(config);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('declares every queue the app sends to or listens on, and nothing else', () => {
    expect(queues.map((queue) => queue.Name).sort()).toEqual([...ALL_QUEUES].sort());
  });

  it('declares every queue a route points at', () => {
    const declared = new Set(queues.map((queue) => queue.Name));
    const routed = EVENT_TYPES.flatMap((type) => {
      const route = EVENT_ROUTES[type];
      return 'bySagaStyle' in route ? Object.values(route.bySagaStyle).flat() : [...route];
    });
    expect(routed.filter((queue) => !declared.has(queue))).toEqual([]);
  });

  it('keeps the emulator limits the schema only documents in prose', () => {
    const seconds = (duration: unknown) => {
      const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(String(duration));
      if (!match) throw new Error(`unexpected duration ${String(duration)}`);
      return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
    };
    for (const { Name, Properties = {} } of queues) {
      expect.soft(Properties.MaxDeliveryCount, Name).toBe(5);
      expect.soft(seconds(Properties.LockDuration), Name).toBeGreaterThanOrEqual(5);
      expect.soft(seconds(Properties.LockDuration), Name).toBeLessThanOrEqual(300);
      expect.soft(seconds(Properties.DefaultMessageTimeToLive), Name).toBeGreaterThanOrEqual(300);
      expect.soft(seconds(Properties.DefaultMessageTimeToLive), Name).toBeLessThanOrEqual(3600);
      expect.soft(seconds(Properties.DuplicateDetectionHistoryTimeWindow), Name).toBeGreaterThanOrEqual(5);
      expect.soft(seconds(Properties.DuplicateDetectionHistoryTimeWindow), Name).toBeLessThanOrEqual(300);
      // Publishers set messageId to the event id precisely so the broker can drop re-published events.
      expect.soft(Properties.RequiresDuplicateDetection, Name).toBe(true);
      expect.soft(Properties.DeadLetteringOnMessageExpiration, Name).toBe(true);
      expect.soft(Properties.RequiresSession ?? false, Name).toBe(false);
    }
  });

  it('has no topics: topic triggers do not fire on the emulator', () => {
    expect(config.UserConfig.Namespaces[0].Topics).toEqual([]);
  });
});
