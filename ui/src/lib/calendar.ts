// Days of the calendar and the zone arithmetic behind them, with Intl only (no date library).
// A day is a civil date 'YYYY-MM-DD' (no zone); an instant is RFC 3339 UTC; a wall time is
// 'YYYY-MM-DDTHH:MM' as read on a clock in some IANA zone.

export type CalendarView = 'month' | 'week';

const DAY_MS = 86_400_000;
export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const WALL_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

function dayNumber(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function dayFromNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return dayFromNumber(dayNumber(day) + n);
}

/** 0 = Monday … 6 = Sunday (the weekday numbering of queue slots). */
export function weekday(day: string): number {
  return (new Date(dayNumber(day) * DAY_MS).getUTCDay() + 6) % 7;
}

export function startOfWeek(day: string): string {
  return addDays(day, -weekday(day));
}

/** The first day of the month `n` months after the month of `day`. */
export function addMonths(day: string, n: number): string {
  const [y, m] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 10);
}

/** The weeks (Monday first) that show the month of `day`: 4 to 6 rows of 7 days. */
export function monthGrid(day: string): string[][] {
  const first = addMonths(day, 0);
  const last = addDays(addMonths(day, 1), -1);
  const weeks: string[][] = [];
  for (let start = startOfWeek(first); start <= last; start = addDays(start, 7)) {
    weeks.push(Array.from({ length: 7 }, (_, i) => addDays(start, i)));
  }
  return weeks;
}

/** Monday to Sunday of the week of `day`. */
export function weekDays(day: string): string[] {
  const start = startOfWeek(day);
  return Array.from({ length: 7 }, (_, i) => addDays(start, i));
}

/** Every day a view shows, in order. */
export function viewDays(view: CalendarView, anchor: string): string[] {
  return view === 'month' ? monthGrid(anchor).flat() : weekDays(anchor);
}

/** The anchor one month or week earlier (-1) or later (+1). */
export function shiftAnchor(view: CalendarView, anchor: string, step: number): string {
  return view === 'month' ? addMonths(anchor, step) : addDays(anchor, 7 * step);
}

/** True when `day` is in the same month as `anchor`. */
export function sameMonth(day: string, anchor: string): boolean {
  return day.slice(0, 7) === anchor.slice(0, 7);
}

/**
 * The instants to ask the backend for: every post due on a shown day in any zone. Zones are
 * at most 14 hours from UTC, so one extra UTC day each side covers them; posts are then
 * placed on their day in their own zone.
 */
export function queryRange(days: string[]): { from: string; to: string } {
  const first = days[0];
  const last = days[days.length - 1];
  return {
    from: new Date(dayNumber(addDays(first, -1)) * DAY_MS).toISOString(),
    to: new Date(dayNumber(addDays(last, 2)) * DAY_MS).toISOString(),
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock time of an instant in `zone`: 'YYYY-MM-DDTHH:MM'. */
export function wallOf(instant: string | number | Date, zone: string): string {
  const date = instant instanceof Date ? instant : new Date(instant);
  const parts: Record<string, string> = {};
  for (const p of wallFormatter(zone).formatToParts(date)) parts[p.type] = p.value;
  // Some engines still print midnight as "24" despite h23.
  const hour = parts.hour === '24' ? '00' : parts.hour;
  return `${parts.year}-${parts.month}-${parts.day}T${hour}:${parts.minute}`;
}

/** The day an instant falls on in `zone`. */
export function dayIn(instant: string | number | Date, zone: string): string {
  return wallOf(instant, zone).slice(0, 10);
}

/** 'HH:MM' of an instant in `zone`. */
export function timeIn(instant: string | number | Date, zone: string): string {
  return wallOf(instant, zone).slice(11, 16);
}

/** The same clock time on another day: ('2025-03-09T10:30', '2025-03-12') -> '2025-03-12T10:30'. */
export function moveToDay(wall: string, day: string): string {
  return `${day}T${wall.slice(11, 16)}`;
}

/** Another hour of another day, keeping the minutes: ('…T10:30', '2025-03-12', 14) -> '2025-03-12T14:30'. */
export function moveToHour(wall: string, day: string, hour: number): string {
  return `${day}T${String(hour).padStart(2, '0')}:${wall.slice(14, 16)}`;
}

/** The hour (0–23) of a wall time. */
export function hourOf(wall: string): number {
  return Number(wall.slice(11, 13));
}

/** "March 2025" / "10 – 16 March 2025", in the user's language. */
export function viewTitle(view: CalendarView, anchor: string, locale?: string): string {
  const at = (day: string) => new Date(dayNumber(day) * DAY_MS);
  if (view === 'month') return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(at(anchor));
  const days = weekDays(anchor);
  const f = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return f.formatRange(at(days[0]), at(days[6]));
}

/** "Mon 10" for a column heading. */
export function dayLabel(day: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(dayNumber(day) * DAY_MS));
}

/** "Mon" … "Sun" for weekday 0 … 6. */
export function weekdayName(weekdayIndex: number, locale?: string, width: 'short' | 'long' = 'short'): string {
  // 2024-01-01 was a Monday.
  return new Intl.DateTimeFormat(locale, { weekday: width, timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 1 + weekdayIndex)));
}

/** An instant as a person in `zone` reads it: "Sun, 9 Mar 2025, 23:30". */
export function formatInZone(instant: string, zone: string, locale?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}

/** The zone's short name at an instant ("CET", "GMT-5"), for labels next to times. */
export function zoneAbbreviation(instant: string | number, zone: string, locale?: string): string {
  const parts = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' }).formatToParts(new Date(instant));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
}

/** Minutes after midnight <-> 'HH:MM'. */
export function minuteToTime(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

export function timeToMinute(time: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(time);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : null;
}
