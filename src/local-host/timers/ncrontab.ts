/**
 * Timer schedules as Azure Functions reads them: six-field NCRONTAB (`second minute hour day month
 * day-of-week`, with `*`, lists, ranges, steps and the names Jan…Dec and Sun…Sat) or a TimeSpan
 * (`00:05:00`, "every"). Parsing and the next occurrence come from croner, set up the way NCrontab behaves:
 * exactly six fields, day-of-month and day-of-week must both match, `5/15` steps from 5. Times are in
 * `WEBSITE_TIME_ZONE` when it is set (an IANA name, or one of the common Windows names Functions on Windows
 * takes), otherwise UTC.
 */
import { Cron } from 'croner';
import { parseTimeSpan } from '../durations';
import { resolveTimeZone } from './time-zone';

export interface Schedule {
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
  readonly expression: string;
  /** The IANA zone the expression is read in. */
  readonly timeZone: string;
}

function intervalSchedule(expression: string, ms: number): Schedule {
  if (ms <= 0) throw new Error(`Schedule "${expression}": the interval must be positive.`);
  return { expression, timeZone: 'UTC', next: (after) => new Date(after.getTime() + ms) };
}

export function parseSchedule(expression: string, timeZoneSetting: string | undefined = process.env.WEBSITE_TIME_ZONE): Schedule {
  const trimmed = expression.trim();
  const interval = /^\d*\.?\d+:\d\d:\d\d/.test(trimmed) ? parseTimeSpan(trimmed) : undefined;
  if (interval !== undefined) return intervalSchedule(trimmed, interval);
  if (trimmed.split(/\s+/).length !== 6) {
    throw new Error(`Schedule "${expression}" must have six fields (second minute hour day month day-of-week).`);
  }
  const timeZone = resolveTimeZone(timeZoneSetting);
  let cron: Cron;
  try {
    cron = new Cron(trimmed, { paused: true, mode: '6-part', domAndDow: true, sloppyRanges: true, timezone: timeZone });
  } catch (err) {
    throw new Error(`Schedule "${expression}": ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    expression: trimmed,
    timeZone,
    next(after: Date): Date {
      const next = cron.nextRun(after);
      if (!next) throw new Error(`Schedule "${expression}" never fires.`);
      return next;
    },
  };
}
