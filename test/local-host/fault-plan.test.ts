/** The fault plan's validation and the injector's seeded decisions, without a host. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/local-host/cli';
import { realClock } from '../../src/local-host/clock';
import { FaultInjector, unitHash } from '../../src/local-host/faults/fault-injector';
import { faultKinds, FaultPlanError, parseFaultPlan, readFaultPlanText } from '../../src/local-host/faults/fault-plan';
import { LockLostError, MessageStore } from '../../src/local-host/servicebus/message-store';

describe('fault plan', () => {
  it('takes a seed and rates; a missing rate is 0 and the holds have defaults', () => {
    const plan = parseFaultPlan({ seed: 42, rates: { activityRepeat: 0.1, cosmosThrottle: 0.02 } });
    expect(plan.seed).toBe(42);
    expect(plan.rates.activityRepeat).toBe(0.1);
    expect(plan.rates.cosmosThrottle).toBe(0.02);
    expect(plan.rates.lockExpiry).toBe(0);
    expect(Object.keys(plan.rates).sort()).toEqual([...faultKinds].sort());
    expect(plan.cosmosTimeoutMs).toBe(2_000);
    expect(plan.cosmosRetryAfterMs).toBe(10);
    expect(parseFaultPlan({ seed: 1 }).rates.sendFailure).toBe(0);
  });

  it('names the offending field of an invalid plan', () => {
    expect(() => parseFaultPlan({ seed: 1, rates: { activityRepeat: 1.5 } })).toThrow(/rates\.activityRepeat/);
    expect(() => parseFaultPlan({ seed: 1, rates: { activityRepeats: 0.1 } })).toThrow(FaultPlanError);
    expect(() => parseFaultPlan({ rates: {} })).toThrow(/seed/);
    expect(() => parseFaultPlan({ seed: -1 })).toThrow(/seed/);
    expect(() => parseFaultPlan({ seed: 1, extra: true })).toThrow(FaultPlanError);
  });

  it('reads JSON text or the path of a JSON file, as --faults and EMBEDDED_HOST_FAULTS give it', () => {
    expect(readFaultPlanText('{"seed":3,"rates":{"lockExpiry":0.5}}', 'test').rates.lockExpiry).toBe(0.5);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'faults-')), 'plan.json');
    fs.writeFileSync(file, JSON.stringify({ seed: 9, rates: { sendFailure: 0.25 } }));
    expect(readFaultPlanText(file, 'test')).toMatchObject({ seed: 9, rates: { sendFailure: 0.25 } });
    expect(() => readFaultPlanText('/no/such/plan.json', 'test')).toThrow(/neither JSON nor an existing file/);
    expect(() => readFaultPlanText('{"seed":', 'test')).toThrow(/not valid JSON/);
    expect(parseArgs(['--faults', file]).faults?.seed).toBe(9);
    expect(parseArgs(['--faults={"seed":5}']).faults?.seed).toBe(5);
    expect(() => parseArgs(['--faults', '{"seed":"x"}'])).toThrow(/seed/);
  });
});

describe('fault injector', () => {
  const keys = Array.from({ length: 200 }, (_, i) => `instance-${i}|0`);

  function decisions(injector: FaultInjector, order: string[]): Map<string, boolean> {
    return new Map(order.map((key) => [key, injector.decide('activityRepeat', key)]));
  }

  it('decides from the seed and the key alone, whatever order the work arrives in', () => {
    const plan = parseFaultPlan({ seed: 42, rates: { activityRepeat: 0.3 } });
    const first = decisions(new FaultInjector(plan), keys);
    const shuffled = decisions(new FaultInjector(plan), [...keys].reverse());
    expect(shuffled).toEqual(first);
    const fired = [...first.values()].filter(Boolean).length;
    expect(fired).toBeGreaterThan(30);
    expect(fired).toBeLessThan(90);
    const otherSeed = decisions(new FaultInjector(parseFaultPlan({ seed: 43, rates: { activityRepeat: 0.3 } })), keys);
    expect(otherSeed).not.toEqual(first);
  });

  it('gives each repeat of the same key its own decision, and counts what it injected', () => {
    const injector = new FaultInjector(parseFaultPlan({ seed: 7, rates: { cosmosThrottle: 0.5 } }));
    const runs = Array.from({ length: 40 }, () => injector.decide('cosmosThrottle', 'GET /dbs/d/colls/c/docs/x'));
    expect(runs).toContain(true);
    expect(runs).toContain(false);
    runs.forEach((fired, occurrence) => expect(fired).toBe(unitHash(7, 'cosmosThrottle', 'GET /dbs/d/colls/c/docs/x', occurrence) < 0.5));
    expect(injector.report().injected.cosmosThrottle).toBe(runs.filter(Boolean).length);
  });

  it('never fires at rate 0 or without a plan, always at rate 1', () => {
    const injector = new FaultInjector(parseFaultPlan({ seed: 1, rates: { sendFailure: 1 } }));
    expect(keys.every((key) => injector.decide('sendFailure', key))).toBe(true);
    expect(keys.some((key) => injector.decide('sendAppliedThenFails', key))).toBe(false);
    const off = new FaultInjector();
    expect(keys.some((key) => off.decide('sendFailure', key))).toBe(false);
    expect(off.report()).toMatchObject({ enabled: false, seed: null, injected: { sendFailure: 0 } });
  });
});

describe('lock expiry in the message store', () => {
  const settings = { maxDeliveryCount: 3, lockDurationMs: 1_000, defaultTtlMs: 60_000, deadLetteringOnMessageExpiration: false, requiresSession: false };

  function message(id: string) {
    const now = new Date();
    return { body: Buffer.from('{}'), messageId: id, applicationProperties: {}, sequenceNumber: 1, enqueuedTimeUtc: now, expiresAtUtc: new Date(now.getTime() + 60_000), deliveryCount: 0 };
  }

  it('hands an expired message out again; the first holder cannot settle it, the second can', () => {
    const store = new MessageStore('q', settings, realClock);
    store.enqueue(message('m1'));
    const first = store.receive();
    const firstToken = first?.lockToken as string;
    expect(store.expireLock(firstToken)).toBe('redelivered');
    const second = store.receive();
    expect(second?.deliveryCount).toBe(2);
    expect(second?.lockToken).not.toBe(firstToken);
    expect(first?.deliveryCount).toBe(1);
    expect(() => store.complete(firstToken)).toThrow(LockLostError);
    expect(store.lockedCount).toBe(1);
    store.complete(second?.lockToken as string);
    expect(store.lockedCount + store.activeCount + store.deadLetterCount).toBe(0);
    expect(store.totals.locksExpired).toBe(1);
  });

  it('dead-letters a message whose lock expires on its last delivery', () => {
    const store = new MessageStore('q', { ...settings, maxDeliveryCount: 1 }, realClock);
    store.enqueue(message('m2'));
    expect(store.expireLock(store.receive()?.lockToken as string)).toBe('deadlettered');
    expect(store.deadLetters()[0]?.deadLetterReason).toBe('MaxDeliveryCountExceeded');
  });

  it('expires a lock at its deadline unless the message is settled first', async () => {
    const store = new MessageStore('q', settings, realClock);
    store.enqueue(message('m3'));
    const held = store.receive()?.lockToken as string;
    store.expireLockAfter(held, 20);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(store.isLocked(held)).toBe(false);
    expect(store.activeCount).toBe(1);
    const settledInTime = store.receive()?.lockToken as string;
    store.expireLockAfter(settledInTime, 20);
    store.complete(settledInTime);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(store.activeCount + store.lockedCount).toBe(0);
    store.close();
  });
});
