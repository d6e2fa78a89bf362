import { Avatar, Box, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import type { PostMedia } from '../../backend';
import type { ChosenTarget } from '../../lib/compose';
import { platformName, PUBLISHING_PLATFORMS } from '../../lib/posts';
import { MediaThumb } from './MediaPanel';
import { PlatformIcon } from './PlatformIcon';

type Props = {
  clientId: string;
  targets: ChosenTarget[];
  body: string;
  link: string;
  firstComment: string;
  thread: string[];
  media: PostMedia[];
  picked: Record<string, string>;
};

const ACCENT: Record<string, string> = { x: 'gray', linkedin: 'blue.7', meta: 'blue.6' };

function host(link: string): string {
  try {
    return new URL(link).host;
  } catch {
    return link;
  }
}

function MediaGrid({ clientId, media, picked }: Pick<Props, 'clientId' | 'media' | 'picked'>) {
  if (media.length === 0) return null;
  const shown = media.slice(0, 4);
  return (
    <SimpleGrid cols={shown.length === 1 ? 1 : 2} spacing={2} style={{ borderRadius: 12, overflow: 'hidden' }}>
      {shown.map((m) => (
        <Box key={m.id} style={{ aspectRatio: shown.length === 1 ? '16 / 9' : '1 / 1' }}>
          <MediaThumb clientId={clientId} media={m} picked={picked} size="100%" />
        </Box>
      ))}
      {media.length > 4 && (
        <Text size="xs" c="dimmed">
          +{media.length - 4} more
        </Text>
      )}
    </SimpleGrid>
  );
}

function LinkCard({ link }: { link: string }) {
  return (
    <Paper withBorder p="xs" radius="sm" bg="var(--mantine-color-default-hover)">
      <Text size="xs" c="dimmed" tt="uppercase">
        {host(link)}
      </Text>
      <Text size="sm" truncate>
        {link}
      </Text>
    </Paper>
  );
}

/** Text as the network shows it: line breaks kept. */
function Body({ text, link }: { text: string; link?: string }) {
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
      {text || (
        <Text span c="dimmed" fs="italic">
          (no text)
        </Text>
      )}
      {link && (
        <>
          {text ? ' ' : ''}
          <Text span c="blue">
            {link}
          </Text>
        </>
      )}
    </Text>
  );
}

/** A rough look of the post on each chosen network (X shows the thread as a chain). */
export function PostPreview({ clientId, targets, body, link, firstComment, thread, media, picked }: Props) {
  const platforms = PUBLISHING_PLATFORMS.filter((p) => targets.some((t) => t.platform === p));
  if (platforms.length === 0) return null;
  const cleanLink = link.trim();
  return (
    <Stack gap="sm">
      {platforms.map((platform) => {
        const mine = targets.filter((t) => t.platform === platform);
        const first = mine[0];
        const text = first.variant ?? body;
        const name = first.destinationName ?? first.destinationId;
        const others = mine.length > 1 ? ` (+${mine.length - 1} more)` : '';
        const header = (
          <Group gap="xs" wrap="nowrap">
            <Avatar size={platform === 'x' ? 36 : 40} radius={platform === 'linkedin' ? 'sm' : 'xl'} color={ACCENT[platform]}>
              {name.slice(0, 1).toUpperCase()}
            </Avatar>
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Text size="sm" fw={700} truncate>
                {name}
                {others}
              </Text>
              <Text size="xs" c="dimmed">
                {platform === 'x' ? 'now' : platform === 'linkedin' ? 'Now' : 'Just now'}
              </Text>
            </Stack>
          </Group>
        );
        return (
          <Paper key={platform} withBorder radius="md" p="sm" data-testid="compose-preview" data-platform={platform}>
            <Group gap={6} mb="xs">
              <PlatformIcon platform={platform} size={14} />
              <Text size="xs" c="dimmed" fw={600}>
                {platformName(platform)} preview
              </Text>
            </Group>
            {platform === 'x' ? (
              <Stack gap={0}>
                {[text, ...thread].map((part, i, all) => (
                  <Group key={i} align="stretch" gap="xs" wrap="nowrap" data-testid={i === 0 ? undefined : 'compose-preview-thread-part'}>
                    <Stack gap={0} align="center">
                      <Avatar size={32} radius="xl" color={ACCENT.x}>
                        {name.slice(0, 1).toUpperCase()}
                      </Avatar>
                      {i < all.length - 1 && <Box w={2} style={{ flex: 1, background: 'var(--mantine-color-default-border)' }} />}
                    </Stack>
                    <Stack gap={4} pb="sm" style={{ flex: 1, minWidth: 0 }}>
                      <Text size="sm" fw={700}>
                        {name}{' '}
                        <Text span size="xs" c="dimmed" fw={400}>
                          · now
                        </Text>
                      </Text>
                      <Body text={part} link={i === 0 && cleanLink ? cleanLink : undefined} />
                      {i === 0 && <MediaGrid clientId={clientId} media={media} picked={picked} />}
                    </Stack>
                  </Group>
                ))}
              </Stack>
            ) : (
              <Stack gap="xs">
                {header}
                <Body text={text} />
                <MediaGrid clientId={clientId} media={media} picked={picked} />
                {cleanLink && media.length === 0 && <LinkCard link={cleanLink} />}
                {firstComment.trim() && (
                  <Paper p="xs" radius="md" bg="var(--mantine-color-default-hover)">
                    <Text size="xs" fw={600}>
                      First comment
                    </Text>
                    <Text size="xs" style={{ whiteSpace: 'pre-wrap' }}>
                      {firstComment}
                    </Text>
                  </Paper>
                )}
              </Stack>
            )}
          </Paper>
        );
      })}
    </Stack>
  );
}
