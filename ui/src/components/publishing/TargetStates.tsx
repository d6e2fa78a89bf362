import { Anchor, Group, Stack, Text } from '@mantine/core';
import type { Post } from '../../backend';
import { formatInZone } from '../../lib/calendar';
import { platformName } from '../../lib/posts';
import { PlatformIcon } from './PlatformIcon';
import { StateBadge } from './StateBadge';

/** Where a saved post goes and how far each target got. */
export function TargetStates({ post, onOpenExternal }: { post: Post; onOpenExternal: (url: string) => void }) {
  return (
    <Stack gap={6} data-testid="compose-target-states">
      {post.targets.map((t) => (
        <Group key={t.id} justify="space-between" wrap="nowrap" gap="xs">
          <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
            <PlatformIcon platform={t.platform} />
            <Text size="sm" truncate>
              {t.destinationName ?? t.destinationId}
            </Text>
            <Text size="xs" c="dimmed">
              {platformName(t.platform)}
            </Text>
          </Group>
          <Group gap={6} wrap="nowrap">
            {t.remoteUrl && (
              <Anchor component="button" type="button" size="xs" onClick={() => onOpenExternal(t.remoteUrl as string)}>
                View
              </Anchor>
            )}
            {t.state === 'scheduled' && t.dueAt && (
              <Text size="xs" c="dimmed">
                {formatInZone(t.dueAt, post.zone)}
              </Text>
            )}
            <StateBadge state={t.state} testId="compose-target-state" />
          </Group>
        </Group>
      ))}
      {post.targets
        .filter((t) => t.message && t.state !== 'scheduled')
        .map((t) => (
          <Text key={`${t.id}-message`} size="xs" c={t.state === 'failed' ? 'red' : 'dimmed'}>
            {t.destinationName ?? t.destinationId}: {t.message}
          </Text>
        ))}
    </Stack>
  );
}
