import { describe, expect, it } from 'vitest';
import { compileRoute, matchRoute } from '../../src/local-host/http-route';
import { parseSchedule } from '../../src/local-host/timers/ncrontab';
import { parseIsoDuration, parseTimeSpan } from '../../src/local-host/durations';
import { CoreRegistry, Disposable } from '../../src/local-host/core-module';
import { createVirtualClock, realClock } from '../../src/local-host/clock';

describe('route templates', () => {
  const match = (template: string, path: string) => matchRoute(compileRoute(template), path);

  it('extracts parameters and decodes them', () => {
    expect(match('api/orders/{id}', '/api/orders/a%20b')).toEqual({ id: 'a b' });
    expect(match('api/orders/{id}', '/API/Orders/7/')).toEqual({ id: '7' });
    expect(match('api/orders/{id}', '/api/orders')).toBeUndefined();
    expect(match('api/orders/{id}', '/api/orders/7/items')).toBeUndefined();
  });

  it('handles optional, catch-all, default and multi-part segments', () => {
    expect(match('api/x/{name?}', '/api/x')).toEqual({});
    expect(match('api/x/{name=guest}', '/api/x')).toEqual({ name: 'guest' });
    expect(match('api/f/{*rest}', '/api/f/a/b')).toEqual({ rest: 'a/b' });
    expect(match('api/files/{name}.{ext}', '/api/files/report.pdf')).toEqual({ name: 'report', ext: 'pdf' });
    expect(() => compileRoute('api/{a?}/b')).toThrow(/last segment/);
  });

  it('applies type constraints', () => {
    expect(match('api/{id:int}', '/api/12')).toEqual({ id: '12' });
    expect(match('api/{id:int}', '/api/1.5')).toBeUndefined();
    expect(match('api/{id:guid}', '/api/0f8fad5b-d9cb-469f-a165-70867728950e')).toBeDefined();
    expect(match('api/{id:guid}', '/api/nope')).toBeUndefined();
    expect(match('api/{flag:bool}', '/api/TRUE')).toEqual({ flag: 'TRUE' });
    expect(match('api/{code:alpha:length(3)}', '/api/abc')).toEqual({ code: 'abc' });
    expect(match('api/{code:alpha:length(3)}', '/api/abcd')).toBeUndefined();
    expect(match('api/{n:range(1,10)}', '/api/11')).toBeUndefined();
    expect(match('api/{s:regex(^a+$)}', '/api/aaa')).toEqual({ s: 'aaa' });
  });
});

describe('NCRONTAB', () => {
  const next = (expression: string, after: string) => parseSchedule(expression).next(new Date(after)).toISOString();

  it('computes the next occurrence in UTC', () => {
    expect(next('*/1 * * * * *', '2024-01-01T00:00:00.300Z')).toBe('2024-01-01T00:00:01.000Z');
    expect(next('0 */5 * * * *', '2024-01-01T00:03:00Z')).toBe('2024-01-01T00:05:00.000Z');
    expect(next('0 30 9 * * 1-5', '2024-01-06T12:00:00Z')).toBe('2024-01-08T09:30:00.000Z'); // Saturday → Monday
    expect(next('0 0 0 1 1 *', '2024-03-01T00:00:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(next('0 0 12 29 2 *', '2025-01-01T00:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
    expect(next('0 0 0 * * 7', '2024-01-01T00:00:00Z')).toBe('2024-01-07T00:00:00.000Z'); // 7 is Sunday
    expect(next('10,20 0 0 * * *', '2024-01-01T00:00:10Z')).toBe('2024-01-01T00:00:20.000Z');
    expect(next('00:00:30', '2024-01-01T00:00:00Z')).toBe('2024-01-01T00:00:30.000Z');
  });

  it('rejects malformed expressions with a message naming the problem', () => {
    expect(() => parseSchedule('* * * * *')).toThrow(/six fields/);
    expect(() => parseSchedule('61 * * * * *')).toThrow(/Invalid value for second/);
    expect(() => parseSchedule('0 0 0 31 2 *').next(new Date())).toThrow(/never fires/);
  });
});

describe('durations', () => {
  it('parses ISO 8601 and TimeSpan notations', () => {
    expect(parseIsoDuration('PT1M')).toBe(60_000);
    expect(parseIsoDuration('P1DT2H')).toBe(26 * 3_600_000);
    expect(parseIsoDuration('1 minute')).toBeUndefined();
    expect(parseTimeSpan('00:05:00')).toBe(300_000);
    expect(parseTimeSpan('1.00:00:00.5')).toBe(86_400_500);
  });
});

describe('core registry', () => {
  it('rejects duplicate names and registrations after start-up, and disposes', () => {
    const registry = new CoreRegistry(() => undefined);
    const binding = { t: { type: 'httpTrigger', direction: 'in' as const } };
    const disposable = registry.registerFunction({ name: 'a', bindings: binding }, () => undefined);
    expect(() => registry.registerFunction({ name: 'a', bindings: binding }, () => undefined)).toThrow(/already been registered/);
    disposable.dispose();
    registry.registerFunction({ name: 'a', bindings: binding }, () => undefined);
    registry.finishStartup();
    expect(() => registry.registerFunction({ name: 'b', bindings: binding }, () => undefined)).toThrow(/only be registered during app startup/);
    expect(() => registry.registerHook('onSomething', () => undefined)).toThrow(RangeError);
  });

  it('runs hooks in registration order and supports Disposable.from', async () => {
    const registry = new CoreRegistry(() => undefined);
    const order: number[] = [];
    const a = registry.registerHook('appStart', () => order.push(1));
    const b = registry.registerHook('appStart', async () => order.push(2));
    await registry.runHooks('appStart', {});
    Disposable.from(a, b).dispose();
    await registry.runHooks('appStart', {});
    expect(order).toEqual([1, 2]);
  });
});

describe('clocks', () => {
  it('the virtual clock jumps to the next sleep when idle, and not while busy', async () => {
    const clock = createVirtualClock({ start: new Date('2024-01-01T00:00:00Z') });
    let busy = true;
    clock.setIdleProbe(() => !busy);
    let woke = false;
    const sleep = clock.sleepUntil(new Date('2024-01-08T00:00:00Z')).then(() => (woke = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(woke).toBe(false);
    busy = false;
    await sleep;
    expect(clock.now().toISOString()).toBe('2024-01-08T00:00:00.000Z');
  });

  it('sleeps abort with an AbortError on both clocks', async () => {
    for (const clock of [realClock, createVirtualClock()]) {
      const controller = new AbortController();
      const sleep = clock.sleepUntil(new Date(clock.now().getTime() + 60_000), controller.signal);
      controller.abort();
      await expect(sleep).rejects.toMatchObject({ name: 'AbortError' });
    }
  });

  it('the real clock wakes at the time', async () => {
    const at = new Date(Date.now() + 30);
    await realClock.sleepUntil(at);
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
  });
});
