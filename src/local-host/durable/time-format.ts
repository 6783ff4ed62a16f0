/**
 * The date and duration texts the Durable extension puts on the wire. The extension serialises with .NET, so
 * history timestamps carry seven fractional digits and status times none; DF reads both with `new Date`.
 */

/** `2024-01-01T00:00:05.1230000Z`: the round-trip ("o") format of a UTC DateTime. */
export function toHistoryTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2024-01-01T00:00:05.123Z
  return `${iso.slice(0, 23)}0000Z`;
}

/** `2024-01-01T00:00:05Z`: the format of createdTime / lastUpdatedTime in status payloads. */
export function toStatusTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Reads a query-string date the way the extension does (any ISO text); undefined when absent or invalid. */
export function parseQueryDate(value: string | null): Date | undefined {
  if (value === null || value.trim() === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
