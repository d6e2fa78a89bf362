import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import type { Post, PostTarget } from '../../backend';
import { formatInZone } from '../../lib/calendar';
import { ATTENTION_STATES, attentionReason, excerpt, platformName } from '../../lib/posts';
import { PlatformIcon } from './PlatformIcon';
import { StateBadge } from './StateBadge';

export type AttentionAction = 'publish-now' | 'reschedule' | 'confirm' | 'not-there';

type Props = {
  posts: Post[];
  /** Target ids with an action under way. */
  busy: ReadonlySet<string>;
  onAction: (post: Post, target: PostTarget, action: AttentionAction) => void;
};

const NEEDS: ReadonlySet<string> = new Set(ATTENTION_STATES);

/** Failed, unconfirmed and missed targets, each with what can be done about it. */
export function AttentionList({ posts, busy, onAction }: Props) {
  const rows = posts.flatMap((post) => post.targets.filter((t) => NEEDS.has(t.state)).map((target) => ({ post, target })));
  if (rows.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="attention-empty">
        Nothing needs attention: every post went out or is on its way.
      </Text>
    );
  return (
    <Stack gap="xs" data-testid="attention-list">
      {rows.map(({ post, target }) => {
        const working = busy.has(target.id);
        return (
          <Paper key={target.id} withBorder p="sm" data-testid="attention-row" data-state={target.state} data-target-id={target.id}>
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Stack gap={4} style={{ minWidth: 0 }}>
                <Group gap={6} wrap="nowrap">
                  <PlatformIcon platform={target.platform} />
                  <Text size="sm" fw={600} truncate>
                    {target.destinationName ?? target.destinationId}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {platformName(target.platform)}
                  </Text>
                  <StateBadge state={target.state} />
                </Group>
                <Text size="sm" truncate>
                  {excerpt(target.body ?? post.body, 100) || '(media only)'}
                </Text>
                {target.dueAt && (
                  <Text size="xs" c="dimmed">
                    Due {formatInZone(target.dueAt, post.zone)} ({post.zone})
                  </Text>
                )}
                <Text size="sm" c={target.state === 'failed' ? 'red' : undefined} data-testid="attention-reason">
                  {attentionReason(target)}
                </Text>
              </Stack>
              <Stack gap={4} style={{ flexShrink: 0 }}>
                {target.state === 'unconfirmed' ? (
                  <>
                    <Button size="xs" onClick={() => onAction(post, target, 'confirm')} loading={working} data-testid="attention-confirm">
                      It is on the platform
                    </Button>
                    <Button size="xs" variant="default" onClick={() => onAction(post, target, 'not-there')} disabled={working} data-testid="attention-not-there">
                      It is not there
                    </Button>
                  </>
                ) : (
                  <>
                    <Button
                      size="xs"
                      color="orange"
                      onClick={() => onAction(post, target, 'publish-now')}
                      loading={working}
                      title="Publishes every account of this post that has not gone out yet"
                      data-testid="attention-publish-now"
                    >
                      Publish now
                    </Button>
                    <Button size="xs" variant="default" onClick={() => onAction(post, target, 'reschedule')} disabled={working} data-testid="attention-reschedule">
                      Reschedule
                    </Button>
                  </>
                )}
              </Stack>
            </Group>
          </Paper>
        );
      })}
    </Stack>
  );
}
