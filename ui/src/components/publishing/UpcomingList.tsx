import { Anchor, Group, Stack, Text } from '@mantine/core';
import type { Post } from '../../backend';
import { composeHref } from '../../hooks/useHashRoute';
import { formatInZone } from '../../lib/calendar';
import { excerpt, postPlatforms } from '../../lib/posts';
import { PlatformIcon } from './PlatformIcon';

/** The next scheduled posts, each a link to edit it. */
export function UpcomingList({ posts }: { posts: Post[] }) {
  if (posts.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="upcoming-empty">
        Nothing is scheduled. <Anchor href={composeHref(null)}>Write a post</Anchor>
      </Text>
    );
  return (
    <Stack gap={6} data-testid="upcoming-list">
      {posts.map((p) => (
        <Group key={p.id} gap="xs" wrap="nowrap" data-testid="upcoming-row" data-post-id={p.id}>
          <Text size="sm" ff="monospace" style={{ flexShrink: 0 }}>
            {p.dueAt ? formatInZone(p.dueAt, p.zone) : '—'}
          </Text>
          <Group gap={2} wrap="nowrap">
            {postPlatforms(p).map((pl) => (
              <PlatformIcon key={pl} platform={pl} size={14} />
            ))}
          </Group>
          <Anchor href={composeHref(p.id)} size="sm" truncate>
            {excerpt(p.body, 80) || '(media only)'}
          </Anchor>
        </Group>
      ))}
    </Stack>
  );
}
