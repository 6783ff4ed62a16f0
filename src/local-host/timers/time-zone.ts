/**
 * `WEBSITE_TIME_ZONE` as Functions reads it: on Linux plans an IANA name (`Europe/London`), on Windows a
 * Windows zone id (`GMT Standard Time`). Both are accepted here; the Windows ids map to the IANA zone CLDR
 * names for them (the common ones; anything else must be written as its IANA name).
 */
const windowsZones: Record<string, string> = {
  'UTC': 'UTC',
  'Coordinated Universal Time': 'UTC',
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Romance Standard Time': 'Europe/Paris',
  'Central European Standard Time': 'Europe/Warsaw',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'FLE Standard Time': 'Europe/Kiev',
  'GTB Standard Time': 'Europe/Bucharest',
  'Russian Standard Time': 'Europe/Moscow',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'US Mountain Standard Time': 'America/Phoenix',
  'Pacific Standard Time': 'America/Los_Angeles',
  'Alaskan Standard Time': 'America/Anchorage',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Atlantic Standard Time': 'America/Halifax',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'India Standard Time': 'Asia/Kolkata',
  'China Standard Time': 'Asia/Shanghai',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul',
  'Singapore Standard Time': 'Asia/Singapore',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'New Zealand Standard Time': 'Pacific/Auckland',
  'South Africa Standard Time': 'Africa/Johannesburg',
  'Arabian Standard Time': 'Asia/Dubai',
};

function isIanaZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The IANA zone for the setting's value; UTC when unset. An unknown name stops start-up with its name. */
export function resolveTimeZone(setting: string | undefined): string {
  const name = setting?.trim();
  if (!name) return 'UTC';
  const windows = Object.entries(windowsZones).find(([id]) => id.toLowerCase() === name.toLowerCase());
  if (windows) return windows[1];
  if (isIanaZone(name)) return name;
  throw new Error(`WEBSITE_TIME_ZONE "${name}" is neither an IANA time zone (e.g. Europe/London) nor a Windows zone id the host knows (e.g. GMT Standard Time).`);
}
