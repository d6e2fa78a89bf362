// IANA time zones for the client form. Uses the runtime's list when available
// (WebKitGTK / WebView2 have it) and a short fallback list otherwise.
const FALLBACK = [
  'UTC',
  'Africa/Johannesburg',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/New_York',
  'America/Sao_Paulo',
  'America/Toronto',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Shanghai',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Europe/Berlin',
  'Europe/London',
  'Europe/Madrid',
  'Europe/Paris',
  'Pacific/Auckland',
];

let cached: string[] | null = null;

export function timeZones(): string[] {
  if (cached) return cached;
  let zones: string[] = [];
  try {
    const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
    zones = intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    zones = [];
  }
  if (zones.length === 0) zones = FALLBACK;
  cached = Array.from(new Set(['UTC', ...zones]));
  return cached;
}

/** The machine's own zone, if it is a known IANA name; else UTC. */
export function defaultTimeZone(): string {
  try {
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && timeZones().includes(tz)) return tz;
  } catch {
    // ignore
  }
  return 'UTC';
}
