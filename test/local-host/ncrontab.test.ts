import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../src/local-host/timers/ncrontab';
import { resolveTimeZone } from '../../src/local-host/timers/time-zone';

/** The occurrences after `after`, in order, as ISO strings. */
function occurrences(expression: string, after: string, count: number, timeZone?: string): string[] {
  const schedule = parseSchedule(expression, timeZone);
  const out: string[] = [];
  let at = new Date(after);
  for (let i = 0; i < count; i++) {
    at = schedule.next(at);
    out.push(at.toISOString());
  }
  return out;
}

// The NCRONTAB examples table of the Azure Functions timer trigger documentation, each with what it says.
describe('the Functions documentation examples', () => {
  it('"0 */5 * * * *": once every five minutes', () => {
    expect(occurrences('0 */5 * * * *', '2024-01-01T00:03:10Z', 3)).toEqual(['2024-01-01T00:05:00.000Z', '2024-01-01T00:10:00.000Z', '2024-01-01T00:15:00.000Z']);
  });

  it('"0 0 * * * *": once at the top of every hour', () => {
    expect(occurrences('0 0 * * * *', '2024-01-01T00:00:00Z', 2)).toEqual(['2024-01-01T01:00:00.000Z', '2024-01-01T02:00:00.000Z']);
  });

  it('"0 0 */2 * * *": once every two hours', () => {
    expect(occurrences('0 0 */2 * * *', '2024-01-01T01:00:00Z', 3)).toEqual(['2024-01-01T02:00:00.000Z', '2024-01-01T04:00:00.000Z', '2024-01-01T06:00:00.000Z']);
  });

  it('"0 0 9-17 * * *": once every hour from 9 AM to 5 PM', () => {
    const runs = occurrences('0 0 9-17 * * *', '2024-01-01T00:00:00Z', 10);
    expect(runs.slice(0, 9).map((iso) => new Date(iso).getUTCHours())).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(runs[9]).toBe('2024-01-02T09:00:00.000Z');
  });

  it('"0 30 9 * * *": at 9:30 AM every day', () => {
    expect(occurrences('0 30 9 * * *', '2024-01-01T10:00:00Z', 2)).toEqual(['2024-01-02T09:30:00.000Z', '2024-01-03T09:30:00.000Z']);
  });

  it('"0 30 9 * * 1-5": at 9:30 AM every weekday', () => {
    // Friday 5 January 2024, then the weekend is skipped.
    expect(occurrences('0 30 9 * * 1-5', '2024-01-05T00:00:00Z', 2)).toEqual(['2024-01-05T09:30:00.000Z', '2024-01-08T09:30:00.000Z']);
  });

  it('"0 30 9 * Jan Mon": at 9:30 AM every Monday in January', () => {
    expect(occurrences('0 30 9 * Jan Mon', '2024-01-25T00:00:00Z', 2)).toEqual(['2024-01-29T09:30:00.000Z', '2025-01-06T09:30:00.000Z']);
  });
});

describe('NCrontab behaviour', () => {
  it('requires both day-of-month and day-of-week, as NCrontab does (Friday the 13th)', () => {
    expect(occurrences('0 0 0 13 * 5', '2025-01-01T00:00:00Z', 2)).toEqual(['2025-06-13T00:00:00.000Z', '2026-02-13T00:00:00.000Z']);
  });

  it('takes names in any case, Sunday as 0 or 7, and a step from a start value', () => {
    expect(occurrences('0 0 0 * DEC sun', '2024-01-01T00:00:00Z', 1)).toEqual(['2024-12-01T00:00:00.000Z']);
    expect(occurrences('0 0 0 * * 7', '2024-01-01T00:00:00Z', 1)).toEqual(['2024-01-07T00:00:00.000Z']);
    expect(occurrences('5/20 * * * * *', '2024-01-01T00:00:00Z', 3)).toEqual(['2024-01-01T00:00:05.000Z', '2024-01-01T00:00:25.000Z', '2024-01-01T00:00:45.000Z']);
  });

  it('refuses five or seven fields', () => {
    expect(() => parseSchedule('0 30 9 * *')).toThrow(/six fields/);
    expect(() => parseSchedule('0 0 30 9 * * 2024')).toThrow(/six fields/);
  });
});

describe('WEBSITE_TIME_ZONE', () => {
  it('reads the schedule in an IANA zone, daylight saving included', () => {
    expect(occurrences('0 0 10 * * *', '2025-01-01T12:00:00Z', 1, 'America/New_York')).toEqual(['2025-01-01T15:00:00.000Z']);
    expect(occurrences('0 0 10 * * *', '2025-07-01T12:00:00Z', 1, 'America/New_York')).toEqual(['2025-07-01T14:00:00.000Z']);
  });

  it('takes the Windows zone ids Functions on Windows takes', () => {
    expect(resolveTimeZone('Eastern Standard Time')).toBe('America/New_York');
    expect(resolveTimeZone('gmt standard time')).toBe('Europe/London');
    expect(occurrences('0 30 9 * * *', '2025-07-01T00:00:00Z', 1, 'GMT Standard Time')).toEqual(['2025-07-01T08:30:00.000Z']);
  });

  it('is UTC when unset, and an unknown name stops start-up naming it', () => {
    expect(resolveTimeZone(undefined)).toBe('UTC');
    expect(resolveTimeZone('')).toBe('UTC');
    expect(() => resolveTimeZone('Mars/Olympus')).toThrow(/WEBSITE_TIME_ZONE "Mars\/Olympus"/);
  });

  it('is read from the environment by default', () => {
    const saved = process.env.WEBSITE_TIME_ZONE;
    process.env.WEBSITE_TIME_ZONE = 'Asia/Tokyo';
    try {
      // 9 AM in Tokyo is midnight UTC.
      expect(parseSchedule('0 0 9 * * *').next(new Date('2024-12-31T12:00:00Z')).toISOString()).toBe('2025-01-01T00:00:00.000Z');
    } finally {
      if (saved === undefined) delete process.env.WEBSITE_TIME_ZONE;
      else process.env.WEBSITE_TIME_ZONE = saved;
    }
  });
});
