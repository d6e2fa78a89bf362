// The composer's form and how it becomes the backend's PostInput; no React here.
import type { Count, MediaInfo, Post, PostInput, PostMedia, TargetCheck } from '../backend';
import { WALL_PATTERN } from './calendar';
import { targetKey } from './posts';

/** A destination chosen in the composer, with its own text when `variant` is not null. */
export type ChosenTarget = {
  connectionId: string;
  destinationId: string;
  destinationName: string | null;
  destinationKind: string;
  platform: string;
  variant: string | null;
};

export type ComposeForm = {
  body: string;
  link: string;
  firstComment: string;
  /** X follow-up posts (the body is the first post). */
  thread: string[];
  nativeSchedule: boolean;
  targets: ChosenTarget[];
  /** The `datetime-local` value: 'YYYY-MM-DDTHH:MM' or ''. */
  wallTime: string;
};

export function emptyForm(): ComposeForm {
  return { body: '', link: '', firstComment: '', thread: [], nativeSchedule: false, targets: [], wallTime: '' };
}

/** A stored post as the form that edits it. */
export function formOf(post: Post): ComposeForm {
  return {
    body: post.body,
    link: post.link ?? '',
    firstComment: post.firstComment ?? '',
    thread: [...post.thread],
    nativeSchedule: post.nativeSchedule,
    wallTime: post.wallTime ?? '',
    targets: post.targets
      .filter((t) => t.connectionId !== null)
      .map((t) => ({
        connectionId: t.connectionId as string,
        destinationId: t.destinationId,
        destinationName: t.destinationName,
        destinationKind: t.destinationKind,
        platform: t.platform,
        variant: t.body,
      })),
  };
}

export function choosesPlatform(form: Pick<ComposeForm, 'targets'>, platform: string): boolean {
  return form.targets.some((t) => t.platform === platform);
}

/** Only X targets: the first comment does not apply to anything chosen. */
export function firstCommentUnavailable(form: Pick<ComposeForm, 'targets'>): boolean {
  return form.targets.length > 0 && form.targets.every((t) => t.platform === 'x');
}

/**
 * What is sent to the backend. Parts the chosen networks cannot use are left out rather
 * than kept hidden: the thread without an X target, native scheduling without a Facebook
 * Page, the first comment when only X is chosen.
 */
export function postInputOf(form: ComposeForm, brandId: string | null): PostInput {
  const trimmedOrNull = (s: string) => (s.trim() === '' ? null : s);
  return {
    brandId,
    body: form.body,
    link: trimmedOrNull(form.link.trim()),
    firstComment: firstCommentUnavailable(form) ? null : trimmedOrNull(form.firstComment),
    thread: choosesPlatform(form, 'x') ? form.thread : [],
    nativeSchedule: choosesPlatform(form, 'meta') && form.nativeSchedule,
    targets: form.targets.map((t) => ({
      connectionId: t.connectionId,
      destinationId: t.destinationId,
      destinationName: t.destinationName,
      destinationKind: t.destinationKind,
      body: t.variant,
    })),
  };
}

export function isWallTime(value: string): boolean {
  return WALL_PATTERN.test(value);
}

/** Pixel sizes are known once a picked image has loaded (by media id). */
export type MediaSizes = Record<string, { width: number; height: number }>;

export function mediaInfoOf(media: PostMedia[], sizes: MediaSizes): MediaInfo[] {
  return media.map((m) => ({ mime: m.mime, sizeBytes: m.size, width: sizes[m.id]?.width ?? null, height: sizes[m.id]?.height ?? null }));
}

/** The check of one chosen target, if the backend returned one. */
export function checkFor(checks: TargetCheck[] | null, target: Pick<ChosenTarget, 'connectionId' | 'destinationId'>): TargetCheck | null {
  const key = targetKey(target.connectionId, target.destinationId);
  return checks?.find((c) => targetKey(c.connectionId, c.destinationId) === key) ?? null;
}

/** "Text", "Post 2 of the thread", "First comment". */
export function countLabel(count: Pick<Count, 'field' | 'index'>): string {
  if (count.field === 'thread') return `Post ${(count.index ?? 0) + 2}`;
  if (count.field === 'first_comment') return 'First comment';
  return 'Text';
}

/** A file's bytes as base64 (what addPostMedia takes). */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsDataURL(file);
  });
}

/** The library asset a post media item was copied from ("library:<asset id>"), if any. */
export function libraryAssetId(source: string): string | null {
  return source.startsWith('library:') ? source.slice('library:'.length) : null;
}
