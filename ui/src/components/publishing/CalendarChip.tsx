import { Group, Text, UnstyledButton } from '@mantine/core';
import type { DragEvent, KeyboardEvent } from 'react';
import type { Post } from '../../backend';
import { canReschedule, excerpt, overallState, postPlatforms, stateLook } from '../../lib/posts';
import { PlatformIcon } from './PlatformIcon';

type Props = {
  post: Post;
  /** 'HH:MM' in the post's zone. */
  time: string;
  /** Shown when the post's zone is not the client's. */
  zoneNote: string | null;
  moving: boolean;
  onOpen: (post: Post) => void;
  onDragStart: (post: Post) => void;
  onDragEnd: () => void;
};

/** A post on the calendar: time, networks and the start of its text, coloured by its state. */
export function CalendarChip({ post, time, zoneNote, moving, onOpen, onDragStart, onDragEnd }: Props) {
  const state = overallState(post);
  const look = stateLook(state);
  const movable = canReschedule(post) && !moving;
  return (
    // A div, not a <button>: some engines never start a drag on buttons.
    <UnstyledButton
      component="div"
      role="button"
      tabIndex={0}
      onClick={() => onOpen(post)}
      onKeyDown={(e: KeyboardEvent<HTMLDivElement>) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onOpen(post);
        }
      }}
      draggable={movable}
      onDragStart={(e: DragEvent<HTMLDivElement>) => {
        if (!movable) {
          e.preventDefault();
          return;
        }
        e.dataTransfer?.setData('text/plain', post.id);
        if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
        onDragStart(post);
      }}
      onDragEnd={onDragEnd}
      title={`${look.label}${movable ? ' — drag to another day to reschedule' : ''}\n${post.body}`}
      data-testid="calendar-post"
      data-post-id={post.id}
      data-state={state}
      data-draggable={movable}
      px={6}
      py={2}
      w="100%"
      style={{
        display: 'block',
        borderRadius: 'var(--mantine-radius-sm)',
        borderLeft: `3px solid var(--mantine-color-${look.color}-6)`,
        background: `var(--mantine-color-${look.color}-light)`,
        cursor: movable ? 'grab' : 'pointer',
        opacity: moving ? 0.5 : 1,
      }}
    >
      <Group gap={4} wrap="nowrap">
        <Text size="xs" fw={700} style={{ flexShrink: 0 }} data-testid="calendar-post-time">
          {time}
        </Text>
        {postPlatforms(post).map((p) => (
          <PlatformIcon key={p} platform={p} size={12} />
        ))}
        <Text size="xs" truncate style={{ minWidth: 0 }}>
          {excerpt(post.body, 40) || '(media only)'}
        </Text>
      </Group>
      {zoneNote && (
        <Text size="xs" c="dimmed" truncate>
          {zoneNote}
        </Text>
      )}
    </UnstyledButton>
  );
}
