// Words, colours and rules of posts and their targets, kept apart from the components.
import type { Post, PostSettled, PostTarget, StatusCount } from '../backend';

/** The platforms Switchboard publishes to, in the order the UI lists them. */
export const PUBLISHING_PLATFORMS = ['x', 'linkedin', 'meta'] as const;
export type PublishingPlatform = (typeof PUBLISHING_PLATFORMS)[number];

export function isPublishingPlatform(platform: string): platform is PublishingPlatform {
  return (PUBLISHING_PLATFORMS as readonly string[]).includes(platform);
}

const PLATFORM_NAMES: Record<string, string> = { x: 'X', linkedin: 'LinkedIn', meta: 'Facebook' };

/** What people call the network a target goes to (Meta publishes to Facebook Pages). */
export function platformName(platform: string): string {
  return PLATFORM_NAMES[platform] ?? platform;
}

type Look = { label: string; color: string };

const STATES: Record<string, Look> = {
  draft: { label: 'Draft', color: 'gray' },
  scheduled: { label: 'Scheduled', color: 'blue' },
  publishing: { label: 'Publishing', color: 'cyan' },
  published: { label: 'Published', color: 'teal' },
  scheduled_remote: { label: 'Scheduled on Facebook', color: 'indigo' },
  failed: { label: 'Failed', color: 'red' },
  unconfirmed: { label: 'Unconfirmed', color: 'orange' },
  missed: { label: 'Missed', color: 'yellow' },
  cancelled: { label: 'Cancelled', color: 'gray' },
};

export function stateLook(state: string): Look {
  return STATES[state] ?? { label: state.replace(/_/g, ' '), color: 'gray' };
}

/** Targets a person may still change: edit, reschedule, cancel (the store's OPEN_STATES). */
export const OPEN_STATES: ReadonlySet<string> = new Set(['draft', 'scheduled', 'failed', 'missed', 'cancelled']);

/** Targets that need a person. */
export const ATTENTION_STATES = ['failed', 'unconfirmed', 'missed'] as const;

/**
 * One state for a whole post: anything in flight or needing a person wins, then what is
 * still to come, then what is done.
 */
const PRECEDENCE = ['publishing', 'unconfirmed', 'failed', 'missed', 'scheduled', 'scheduled_remote', 'draft', 'published', 'cancelled'];

export function overallState(post: { targets: readonly Pick<PostTarget, 'state'>[] }): string {
  const states = new Set(post.targets.map((t) => t.state));
  return PRECEDENCE.find((s) => states.has(s)) ?? post.targets[0]?.state ?? 'draft';
}

/** A post can be moved when some target is still open and none is going out right now. */
export function canReschedule(post: { targets: readonly Pick<PostTarget, 'state'>[] }): boolean {
  return post.targets.some((t) => OPEN_STATES.has(t.state)) && !post.targets.some((t) => t.state === 'publishing');
}

/** The distinct platforms of a post's targets, in the usual order. */
export function postPlatforms(post: { targets: readonly Pick<PostTarget, 'platform'>[] }): string[] {
  const set = new Set(post.targets.map((t) => t.platform));
  return [...PUBLISHING_PLATFORMS.filter((p) => set.has(p)), ...[...set].filter((p) => !isPublishingPlatform(p))];
}

/** The first line of a text, cut to `max` characters. */
export function excerpt(text: string, max = 60): string {
  const line = text.trim().split('\n')[0] ?? '';
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line;
}

/** The text a target publishes (its own variant, else the post's body). */
export function targetText(post: Pick<Post, 'body'>, target: Pick<PostTarget, 'body'>): string {
  return target.body ?? post.body;
}

/** A target's place in the composer: one per destination of a connection. */
export function targetKey(connectionId: string, destinationId: string): string {
  return `${connectionId}\u0000${destinationId}`;
}

export type Notice = { color: string; title: string; message: string };

/** The in-app notice for a target the scheduler settled. */
export function settledNotice(e: PostSettled): Notice | null {
  const where = `${e.destination} on ${platformName(e.platform)}`;
  switch (e.state) {
    case 'published':
      return { color: 'teal', title: 'Published', message: where };
    case 'scheduled_remote':
      return { color: 'indigo', title: 'Scheduled on Facebook', message: `${where}: Facebook will publish it at the chosen time.` };
    case 'failed':
      return { color: 'red', title: 'Not published', message: `${where}: ${e.message ?? 'the platform refused it'}` };
    case 'unconfirmed':
      return {
        color: 'orange',
        title: 'Check this post',
        message: `${where}: the platform did not confirm it. Check the account before posting again (Posts → Needs attention).`,
      };
    case 'missed':
      return { color: 'yellow', title: 'Missed its time', message: `${where}: publish now or reschedule? (Posts → Needs attention)` };
    default:
      return null;
  }
}

/** Why a target needs a person, in words. */
export function attentionReason(target: Pick<PostTarget, 'state' | 'message' | 'reason'>): string {
  if (target.state === 'unconfirmed')
    return `${target.message ? `${target.message}. ` : ''}The platform may have published it: check the account, then say what you found.`;
  if (target.state === 'missed') return target.message ?? 'It was not published in time (the computer was off or asleep). Publish now or reschedule?';
  return target.message ?? target.reason?.replace(/_/g, ' ') ?? 'The platform refused it.';
}

/** States in the order a post moves through them. */
const STATE_ORDER = ['draft', 'scheduled', 'publishing', 'scheduled_remote', 'published', 'failed', 'unconfirmed', 'missed', 'cancelled'];

export type SummaryRow = { clientId: string; clientName: string; platform: string; counts: Record<string, number> };

/** The status summary as a table: one row per client and platform, a column per state present. */
export function summaryTable(summary: StatusCount[]): { rows: SummaryRow[]; states: string[] } {
  const rows = new Map<string, SummaryRow>();
  for (const s of summary) {
    const key = `${s.clientId}/${s.platform}`;
    const row = rows.get(key) ?? { clientId: s.clientId, clientName: s.clientName, platform: s.platform, counts: {} };
    row.counts[s.state] = (row.counts[s.state] ?? 0) + s.count;
    rows.set(key, row);
  }
  const present = new Set(summary.map((s) => s.state));
  const states = [...STATE_ORDER.filter((s) => present.has(s)), ...[...present].filter((s) => !STATE_ORDER.includes(s)).sort()];
  return { rows: [...rows.values()].sort((a, b) => a.clientName.localeCompare(b.clientName) || a.platform.localeCompare(b.platform)), states };
}

