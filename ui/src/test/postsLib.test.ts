import { describe, expect, it } from 'vitest';
import { emptyForm, firstCommentUnavailable, postInputOf, type ChosenTarget } from '../lib/compose';
import { canReschedule, excerpt, overallState, settledNotice, summaryTable } from '../lib/posts';
import { checkDraft, nextQueueSlot, resolveWall, sniffMime } from './mockPublishing';

const states = (...list: string[]) => ({ targets: list.map((state) => ({ state })) });

describe('post states', () => {
  it('shows what is in flight or needs a person before what is planned or done', () => {
    expect(overallState(states('published', 'failed'))).toBe('failed');
    expect(overallState(states('scheduled', 'unconfirmed', 'failed'))).toBe('unconfirmed');
    expect(overallState(states('published', 'publishing'))).toBe('publishing');
    expect(overallState(states('published', 'scheduled'))).toBe('scheduled');
    expect(overallState(states('published', 'published'))).toBe('published');
    expect(overallState(states('missed', 'draft'))).toBe('missed');
    expect(overallState(states())).toBe('draft');
  });

  it('lets a post move only while some target is open and none is going out', () => {
    expect(canReschedule(states('scheduled', 'published'))).toBe(true);
    expect(canReschedule(states('cancelled'))).toBe(true);
    expect(canReschedule(states('published', 'unconfirmed'))).toBe(false);
    expect(canReschedule(states('scheduled', 'publishing'))).toBe(false);
  });

  it('cuts an excerpt at the first line and at a character count', () => {
    expect(excerpt('Hello\nworld')).toBe('Hello');
    expect(excerpt('abcdef', 4)).toBe('abc…');
    expect(excerpt('😀😀😀', 3)).toBe('😀😀😀');
  });

  it('words the scheduler outcomes, and stays quiet about states it does not settle', () => {
    const base = { client_id: 'c', post_id: 'p', target_id: 't', platform: 'x', destination: '@acme', message: null };
    expect(settledNotice({ ...base, state: 'failed', message: 'Duplicate status' })).toMatchObject({
      color: 'red',
      title: 'Not published',
      message: '@acme on X: Duplicate status',
    });
    expect(settledNotice({ ...base, state: 'unconfirmed' })?.message).toContain('Check the account');
    expect(settledNotice({ ...base, platform: 'meta', state: 'scheduled_remote' })?.title).toBe('Scheduled on Facebook');
    expect(settledNotice({ ...base, state: 'scheduled' })).toBeNull();
  });

  it('turns the status summary into one row per client and platform', () => {
    const { rows, states: columns } = summaryTable([
      { clientId: 'b', clientName: 'Beta', platform: 'x', state: 'failed', count: 1 },
      { clientId: 'a', clientName: 'Acme', platform: 'x', state: 'published', count: 3 },
      { clientId: 'a', clientName: 'Acme', platform: 'x', state: 'scheduled', count: 2 },
    ]);
    expect(columns).toEqual(['scheduled', 'published', 'failed']);
    expect(rows.map((r) => [r.clientName, r.counts])).toEqual([
      ['Acme', { published: 3, scheduled: 2 }],
      ['Beta', { failed: 1 }],
    ]);
  });
});

describe('compose form', () => {
  const target = (platform: string, variant: string | null = null): ChosenTarget => ({
    connectionId: `conn-${platform}`,
    destinationId: `dest-${platform}`,
    destinationName: platform,
    destinationKind: 'page',
    platform,
    variant,
  });

  it('sends only what the chosen networks use', () => {
    const form = { ...emptyForm(), body: 'Hi', link: '  ', firstComment: 'More', thread: ['two'], nativeSchedule: true, targets: [target('linkedin')] };
    const input = postInputOf(form, null);
    expect(input.link).toBeNull();
    expect(input.firstComment).toBe('More');
    expect(input.thread).toEqual([]); // no X target
    expect(input.nativeSchedule).toBe(false); // no Facebook Page
    expect(input.targets[0]).toMatchObject({ connectionId: 'conn-linkedin', body: null });

    const xOnly = { ...form, targets: [target('x', 'Own text')] };
    expect(firstCommentUnavailable(xOnly)).toBe(true);
    expect(postInputOf(xOnly, null)).toMatchObject({ firstComment: null, thread: ['two'], targets: [{ body: 'Own text' }] });
    expect(postInputOf({ ...form, targets: [target('meta')] }, null).nativeSchedule).toBe(true);
  });
});

describe('the fake backend rules', () => {
  it('resolves wall times like the scheduler, with DST warnings', () => {
    expect(resolveWall('Europe/Berlin', '2025-06-01T10:00')).toEqual({
      at: '2025-06-01T08:00:00.000Z',
      zone: 'Europe/Berlin',
      wallTime: '2025-06-01T10:00',
      offset: '+02:00',
      warning: null,
    });
    const gap = resolveWall('Europe/Berlin', '2025-03-30T02:30');
    expect(gap.at).toBe('2025-03-30T01:30:00.000Z'); // 03:30 CEST
    expect(gap.warning).toBe('02:30 does not exist on 2025-03-30 in Europe/Berlin (clocks go forward). Scheduled at 03:30 instead.');
    const overlap = resolveWall('Europe/Berlin', '2025-10-26T02:30');
    expect(overlap.at).toBe('2025-10-26T00:30:00.000Z'); // the first 02:30, still CEST
    expect(overlap.offset).toBe('+02:00');
    expect(overlap.warning).toContain('happens twice');
    expect(() => resolveWall('Mars/Base', '2025-01-01T10:00')).toThrow(/not an IANA time zone/);
  });

  it('finds the next free queue slot in the zone', () => {
    const now = Date.parse('2025-03-10T12:00:00Z'); // a Monday, 13:00 in Berlin
    const slots = [
      { weekday: 0, minute: 9 * 60 },
      { weekday: 0, minute: 14 * 60 },
    ];
    expect(nextQueueSlot('Europe/Berlin', slots, new Set(), now)?.wallTime).toBe('2025-03-10T14:00');
    expect(nextQueueSlot('Europe/Berlin', slots, new Set(['2025-03-10T13:00:00.000Z']), now)?.wallTime).toBe('2025-03-17T09:00');
  });

  it('counts X text with the link as 23 characters and flags what X cannot take', () => {
    const report = checkDraft('x', { text: 'a'.repeat(260), link: 'https://example.com/very/long/path', firstComment: 'hi', thread: [''], media: [] });
    expect(report?.counts[0]).toEqual({ field: 'text', index: null, used: 284, limit: 280 });
    expect(report?.issues.map((i) => i.code)).toEqual(['text_too_long', 'first_comment_not_supported', 'text_empty']);
    expect(report?.ok).toBe(false);
    expect(checkDraft('linkedin', { text: 'ok', link: null, firstComment: null, thread: ['more'], media: [] })?.issues[0].code).toBe('thread_not_supported');
  });

  it('reads the media type from the bytes', () => {
    expect(sniffMime(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d]))).toBe('image/png');
    expect(sniffMime(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffMime(new TextEncoder().encode('hello world'))).toBeNull();
  });
});
