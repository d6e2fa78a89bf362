// The publishing rules the in-memory backend plays: wall times resolved in a zone (with the
// backend's DST warnings), a simplified per-network check (counters and the main issues),
// media types read from the bytes, and the next free queue slot. Simple on purpose, but
// each answer has the shape and meaning of the real one.
import { BackendError, type Count, type Issue, type MediaInfo, type QueueSlot, type Report, type ResolvedDue } from '../backend';
import { addDays, dayIn, minuteToTime, wallOf, weekday, WALL_PATTERN } from '../lib/calendar';

const MINUTE = 60_000;
const DAY = 86_400_000;

function wallMs(wall: string): number {
  const [y, m, d] = wall.slice(0, 10).split('-').map(Number);
  return Date.UTC(y, m - 1, d, Number(wall.slice(11, 13)), Number(wall.slice(14, 16)));
}

/** Minutes the zone is ahead of UTC at an instant. */
function offsetAt(ms: number, zone: string): number {
  return (wallMs(wallOf(ms, zone)) - Math.floor(ms / MINUTE) * MINUTE) / MINUTE;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function checkZone(zone: string) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new BackendError('invalid_input', `'${zone}' is not an IANA time zone`);
  }
}

/**
 * Like the scheduler's `due::resolve`: a time that happens twice is the first one, a time
 * in a spring-forward gap moves forward by the gap; both come with a warning.
 */
export function resolveWall(zone: string, wall: string): ResolvedDue {
  checkZone(zone);
  if (!WALL_PATTERN.test(wall)) throw new BackendError('invalid_input', `'${wall}' is not a time like 2025-03-09T14:30`);
  const naive = wallMs(wall);
  const before = offsetAt(naive - DAY, zone);
  const after = offsetAt(naive + DAY, zone);
  const instants = [...new Set([before, after])]
    .map((offset) => naive - offset * MINUTE)
    .filter((t) => wallOf(t, zone) === wall)
    .sort((a, b) => a - b);
  const [date, time] = [wall.slice(0, 10), wall.slice(11, 16)];
  if (instants.length > 0) {
    const at = instants[0];
    const offset = formatOffset(offsetAt(at, zone));
    const warning =
      instants.length > 1
        ? `${time} happens twice on ${date} in ${zone} (clocks go back). Scheduled at the first one, UTC${offset}; the second is UTC${formatOffset(offsetAt(instants[1], zone))}.`
        : null;
    return { at: new Date(at).toISOString(), zone, wallTime: wall, offset, warning };
  }
  const moved = new Date(naive + (after - before) * MINUTE).toISOString().slice(0, 16);
  const resolved = resolveWall(zone, moved);
  return {
    ...resolved,
    wallTime: wall,
    warning: `${time} does not exist on ${date} in ${zone} (clocks go forward). Scheduled at ${moved.slice(11, 16)} instead.`,
  };
}

/** The first slot after `nowMs` (in the zone, over 8 weeks) whose instant no post takes. */
export function nextQueueSlot(zone: string, slots: QueueSlot[], taken: Set<string>, nowMs: number): ResolvedDue | null {
  const today = dayIn(nowMs, zone);
  const sorted = [...slots].sort((a, b) => a.weekday - b.weekday || a.minute - b.minute);
  for (let i = 0; i < 56; i++) {
    const day = addDays(today, i);
    for (const slot of sorted.filter((s) => s.weekday === weekday(day))) {
      const due = resolveWall(zone, `${day}T${minuteToTime(slot.minute)}`);
      if (Date.parse(due.at) > nowMs && !taken.has(due.at)) return due;
    }
  }
  return null;
}

type Rules = { network: string; name: string; limit: number; firstCommentLimit: number | null; threads: boolean; maxMedia: number };

const RULES: Record<string, Rules> = {
  x: { network: 'x', name: 'X', limit: 280, firstCommentLimit: null, threads: true, maxMedia: 4 },
  linkedin: { network: 'linkedin', name: 'LinkedIn', limit: 3000, firstCommentLimit: 1250, threads: false, maxMedia: 20 },
  meta: { network: 'facebook_pages', name: 'Facebook', limit: 63206, firstCommentLimit: 8000, threads: false, maxMedia: 10 },
};

export function rulesOf(platform: string): Rules | null {
  return RULES[platform] ?? null;
}

const chars = (text: string) => [...text].length;
const blank = (text: string | null | undefined) => !text || text.trim() === '';

export type Draft = { text: string; link: string | null; firstComment: string | null; thread: string[]; media: MediaInfo[] };

/**
 * A plain-characters stand-in for switchboard-compose: X appends the link to the text and
 * counts it as 23 characters (plus the space); the others count the text alone.
 */
export function checkDraft(platform: string, draft: Draft): Report | null {
  const rules = rulesOf(platform);
  if (!rules) return null;
  const counts: Count[] = [];
  const issues: Issue[] = [];
  const error = (code: Issue['code'], field: Issue['field'], index: number | null, message: string) =>
    issues.push({ code, severity: 'error', field, index, message });
  const link = blank(draft.link) ? null : (draft.link as string).trim();

  if (blank(draft.text) && draft.media.length === 0 && !link)
    error('text_empty', 'text', null, `Write something or attach media: ${rules.name} posts can't be empty.`);
  const used = chars(draft.text) + (rules.network === 'x' && link ? 24 : 0);
  counts.push({ field: 'text', index: null, used, limit: rules.limit });
  if (used > rules.limit) error('text_too_long', 'text', null, `The text is ${used} characters; ${rules.name} allows ${rules.limit}.`);

  if (draft.media.length > rules.maxMedia)
    error('too_many_media', 'media', null, `${rules.name} takes at most ${rules.maxMedia} media per post; this one has ${draft.media.length}.`);

  if (!blank(draft.firstComment)) {
    const comment = draft.firstComment as string;
    if (rules.firstCommentLimit === null)
      error('first_comment_not_supported', 'first_comment', null, `${rules.name} has no first comment; add it to a thread as the next post instead.`);
    else {
      counts.push({ field: 'first_comment', index: null, used: chars(comment), limit: rules.firstCommentLimit });
      if (chars(comment) > rules.firstCommentLimit)
        error('comment_too_long', 'first_comment', null, `The first comment is ${chars(comment)} characters; ${rules.name} allows ${rules.firstCommentLimit} in a comment.`);
    }
  }

  if (!rules.threads) {
    if (draft.thread.some((p) => !blank(p)))
      error('thread_not_supported', 'thread', null, `${rules.name} has no threads: merge the follow-up posts into the text or publish them separately.`);
  } else {
    draft.thread.forEach((part, index) => {
      if (blank(part)) error('text_empty', 'thread', index, `Post ${index + 2} of the thread is empty.`);
      counts.push({ field: 'thread', index, used: chars(part), limit: rules.limit });
      if (chars(part) > rules.limit) error('text_too_long', 'thread', index, `Post ${index + 2} of the thread is ${chars(part)} characters; ${rules.name} allows ${rules.limit}.`);
    });
  }
  return { network: rules.network, counts, issues, ok: !issues.some((i) => i.severity === 'error') };
}

/** The media type from the first bytes, as the backend sniffs it (never from the name). */
export function sniffMime(bytes: Uint8Array): string | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.slice(8, 12)) === 'WEBP') return 'image/webp';
  if (String.fromCharCode(...bytes.slice(4, 8)) === 'ftyp') return String.fromCharCode(...bytes.slice(8, 10)) === 'qt' ? 'video/quicktime' : 'video/mp4';
  return null;
}

export function decodeBase64(data: string): Uint8Array {
  const binary = atob(data);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A content key for the fake's media rows (FNV-1a; the real one is SHA-256). */
export function contentKey(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
