/** Durations in the two notations Azure config files use: ISO 8601 (`PT1M`) and .NET TimeSpan (`00:05:00`). */

/** Milliseconds in an ISO 8601 duration such as `PT20S` or `P1DT2H`; undefined when malformed. */
export function parseIsoDuration(text: string): number | undefined {
  const match = /^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, w, d, h, mi, s] = match.map((v) => (v === undefined ? 0 : Number(v)));
  const days = (y as number) * 365 + (mo as number) * 30 + (w as number) * 7 + (d as number);
  return (((days * 24 + (h as number)) * 60 + (mi as number)) * 60 + (s as number)) * 1000;
}

/** Milliseconds in a TimeSpan such as `00:05:00`, `1.02:00:00` or `00:00:00.500`; undefined when malformed. */
export function parseTimeSpan(text: string): number | undefined {
  const match = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, neg, d, h, m, s, frac] = match;
  const ms =
    ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(m)) * 60_000 + Number(s ?? 0) * 1000 + (frac ? Number(`0.${frac}`) * 1000 : 0);
  return neg ? -ms : ms;
}

/** Either notation, for settings where both appear in the wild. */
export function parseDuration(text: string): number | undefined {
  return parseIsoDuration(text) ?? parseTimeSpan(text);
}
