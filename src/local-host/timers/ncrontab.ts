/**
 * NCRONTAB schedules as Azure Functions timer triggers use them: six fields
 * (`second minute hour day month day-of-week`) with `*`, lists, ranges and steps, evaluated in UTC.
 * Day-of-month and day-of-week must both match, as in NCrontab. A TimeSpan (`00:05:00`) means "every".
 */
import { parseTimeSpan } from '../durations';

interface Field {
  min: number;
  max: number;
  name: string;
}

const fields: Field[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
];

export interface Schedule {
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
  readonly expression: string;
}

function parseNumber(text: string, field: Field, expression: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`Schedule "${expression}": "${text}" is not a number (${field.name}).`);
  const n = Number(text);
  if (n < field.min || n > field.max) throw new Error(`Schedule "${expression}": ${n} is out of range for ${field.name} (${field.min}-${field.max}).`);
  return n;
}

function parseField(text: string, field: Field, expression: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [rangeText, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`Schedule "${expression}": bad step "${stepText}" (${field.name}).`);
    let from: number;
    let to: number;
    if (rangeText === '*') {
      from = field.min;
      to = field.max;
    } else if (rangeText.includes('-')) {
      const [a, b] = rangeText.split('-') as [string, string];
      from = parseNumber(a, field, expression);
      to = parseNumber(b, field, expression);
      if (to < from) throw new Error(`Schedule "${expression}": range ${rangeText} runs backwards (${field.name}).`);
    } else {
      from = parseNumber(rangeText, field, expression);
      to = stepText === undefined ? from : field.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function intervalSchedule(expression: string, ms: number): Schedule {
  if (ms <= 0) throw new Error(`Schedule "${expression}": the interval must be positive.`);
  return { expression, next: (after) => new Date(after.getTime() + ms) };
}

export function parseSchedule(expression: string): Schedule {
  const trimmed = expression.trim();
  const interval = /^\d*\.?\d+:\d\d:\d\d/.test(trimmed) ? parseTimeSpan(trimmed) : undefined;
  if (interval !== undefined) return intervalSchedule(trimmed, interval);
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 6) {
    throw new Error(`Schedule "${expression}" must have six fields (second minute hour day month day-of-week).`);
  }
  const [sec, min, hour, day, month, dowRaw] = parts.map((p, i) => parseField(p, fields[i] as Field, expression)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  // Sunday may be written 0 or 7.
  const dow = new Set([...dowRaw].map((d) => d % 7));
  return {
    expression: trimmed,
    next(after: Date): Date {
      const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
      // Five years is plenty for any satisfiable schedule (29 February needs four).
      const giveUpYear = t.getUTCFullYear() + 5;
      while (t.getUTCFullYear() <= giveUpYear) {
        if (!month.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!day.has(t.getUTCDate()) || !dow.has(t.getUTCDay())) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!hour.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
          continue;
        }
        if (!min.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
          continue;
        }
        if (!sec.has(t.getUTCSeconds())) {
          t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
          continue;
        }
        return new Date(t.getTime());
      }
      throw new Error(`Schedule "${expression}" never fires.`);
    },
  };
}
