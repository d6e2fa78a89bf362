// Words, numbers and dates of the library, kept apart from the components that show them.

export const LEVELS = ['campaign', 'ad_group', 'ad'] as const;
export type Level = (typeof LEVELS)[number];

const LEVEL_LABELS: Record<string, string> = { campaign: 'Campaigns', ad_group: 'Ad groups', ad: 'Ads' };

export function levelLabel(level: string): string {
  return LEVEL_LABELS[level] ?? level;
}

/** The level listed under an object of `level` (ads have none). */
export function childLevel(level: string): Level | null {
  if (level === 'campaign') return 'ad_group';
  if (level === 'ad_group') return 'ad';
  return null;
}

/** The normalised statuses and objectives every platform's import maps to (the
 * platform's own word is kept as `status_raw` / `objective_raw`). */
export const KNOWN_STATUSES = ['active', 'paused', 'archived', 'deleted', 'draft', 'other'];
export const KNOWN_OBJECTIVES = ['awareness', 'traffic', 'engagement', 'leads', 'sales', 'app', 'video_views', 'other'];

export const SORT_KEYS = ['name', 'spend', 'impressions', 'clicks', 'conversions', 'start', 'status'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const STATUS_COLORS: Record<string, string> = {
  active: 'teal',
  paused: 'yellow',
  draft: 'blue',
  archived: 'gray',
  deleted: 'red',
  other: 'gray',
};

export function statusColor(status: string): string {
  return STATUS_COLORS[status] ?? 'gray';
}

/** "video_views" -> "video views". */
export function words(value: string): string {
  return value.replace(/_/g, ' ');
}

/** Money kept in millionths of the currency unit, shown with its currency. */
export function formatMoney(micros: number, currency: string | null): string {
  const amount = micros / 1_000_000;
  if (currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
    } catch {
      return `${amount.toFixed(2)} ${currency}`;
    }
  }
  return amount.toFixed(2);
}

/** "€50.00 daily" / "€900.00 lifetime" / "—". */
export function formatBudget(micros: number | null, period: string | null, currency: string | null): string {
  if (micros === null) return '—';
  const money = formatMoney(micros, currency);
  return period ? `${money} ${words(period)}` : money;
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat().format(n);
}

/** Conversions arrive in millionths (platforms report fractional conversions). */
export function formatConversions(micros: number): string {
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(micros / 1_000_000);
}

/** An ISO instant or date -> its date part, "—" when absent. */
export function formatDay(iso: string | null): string {
  if (!iso) return '—';
  return iso.slice(0, 10);
}

export function formatDates(start: string | null, end: string | null): string {
  if (!start && !end) return '—';
  return `${formatDay(start)} → ${end ? formatDay(end) : 'ongoing'}`;
}

/** Currency units typed by a person -> micros; empty or invalid -> null. */
export function unitsToMicros(value: string | number): number | null {
  if (value === '' || value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? Math.round(n * 1_000_000) : null;
}

/** A UTC day as YYYY-MM-DD, `daysBack` days before `now`. */
export function isoDay(now: Date, daysBack = 0): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysBack));
  return d.toISOString().slice(0, 10);
}

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export type SnippetPart = { text: string; match: boolean };

/** "a [match] here" -> plain and marked parts (the search marks matches with brackets). */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const re = /\[([^\]]*)\]/g;
  let last = 0;
  for (const m of snippet.matchAll(re)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: snippet.slice(last, at), match: false });
    parts.push({ text: m[1], match: true });
    last = at + m[0].length;
  }
  if (last < snippet.length) parts.push({ text: snippet.slice(last), match: false });
  return parts;
}

export const REVIEW_MARKS: Record<string, { label: string; color: string }> = {
  approved: { label: 'Approved', color: 'teal' },
  needs_changes: { label: 'Needs changes', color: 'orange' },
  comment: { label: 'Comment', color: 'blue' },
};

export function reviewLook(mark: string): { label: string; color: string } {
  return REVIEW_MARKS[mark] ?? { label: words(mark), color: 'gray' };
}

export const AUTO_SYNC_CHOICES = [
  { value: '', label: 'Off' },
  { value: '6', label: 'Every 6 hours' },
  { value: '12', label: 'Every 12 hours' },
  { value: '24', label: 'Every 24 hours' },
];
