import { Alert, Anchor, Button, Grid, Paper, Stack, Text, Title } from '@mantine/core';
import { IconUsers } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { useAppData } from '../appData';
import { useBackend, type Client, type Post, type PostTarget } from '../backend';
import { EmptyState } from '../components/EmptyState';
import { AttentionList, type AttentionAction } from '../components/publishing/AttentionList';
import { QueueSlotsEditor } from '../components/publishing/QueueSlotsEditor';
import { SchedulerCard } from '../components/publishing/SchedulerCard';
import { StatusSummary } from '../components/publishing/StatusSummary';
import { UpcomingList } from '../components/publishing/UpcomingList';
import { composeHref } from '../hooks/useHashRoute';
import { usePostsOverview } from '../hooks/usePostsOverview';
import { notifyError, notifySuccess } from '../lib/notify';

export function PostsPage() {
  const { clients, currentClientId } = useAppData();
  const client = clients?.find((c) => c.id === currentClientId) ?? null;
  return (
    <Stack maw={1300}>
      <Title order={2}>Posts{client ? ` of ${client.name}` : ''}</Title>
      {clients === null ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : client ? (
        <ClientPosts key={client.id} client={client} />
      ) : (
        <EmptyState icon={<IconUsers />} title="Choose a client first" testId="posts-no-client">
          Pick a client with the client switcher at the top, or add one on the <Anchor href="#/clients">Clients page</Anchor>.
        </EmptyState>
      )}
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Title order={3} size="h4">
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}

function ClientPosts({ client }: { client: Client }) {
  const backend = useBackend();
  const { data, error, reload } = usePostsOverview(client.id);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());

  const act = async (post: Post, target: PostTarget, action: AttentionAction) => {
    if (action === 'reschedule') {
      window.location.hash = composeHref(post.id);
      return;
    }
    setBusy((b) => new Set(b).add(target.id));
    const where = `${target.destinationName ?? target.destinationId}`;
    try {
      if (action === 'publish-now') {
        await backend.schedulePost(client.id, post.id, { kind: 'now' });
        notifySuccess(`Publishing to ${where} now.`);
      } else {
        const published = action === 'confirm';
        await backend.resolveUnconfirmed(client.id, target.id, published, null);
        notifySuccess(published ? `Marked as published on ${where}.` : `Marked as not published on ${where}: publish it again when ready.`);
      }
      await reload();
    } catch (e) {
      notifyError(action === 'publish-now' ? 'Could not publish the post' : 'Could not record the check', e);
    } finally {
      setBusy((b) => {
        const rest = new Set(b);
        rest.delete(target.id);
        return rest;
      });
    }
  };

  if (error && !data)
    return (
      <Alert color="red" title="Could not load the posts">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{error}</Text>
          <Button size="xs" variant="default" onClick={() => void reload()}>
            Try again
          </Button>
        </Stack>
      </Alert>
    );
  if (!data)
    return (
      <Text size="sm" c="dimmed">
        Loading posts…
      </Text>
    );

  return (
    <Grid gutter="md">
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <Stack gap="md">
          <Section title="Needs attention">
            <AttentionList posts={data.attention} busy={busy} onAction={(p, t, a) => void act(p, t, a)} />
          </Section>
          <Section title="Coming up">
            <UpcomingList posts={data.upcoming} />
          </Section>
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 5 }}>
        <Stack gap="md">
          <SchedulerCard status={data.scheduler} />
          <Section title="Queue times">
            <QueueSlotsEditor clientId={client.id} zone={client.timezone} />
          </Section>
        </Stack>
      </Grid.Col>
      <Grid.Col span={12}>
        <Section title="All clients">
          <StatusSummary summary={data.summary} currentClientId={client.id} />
        </Section>
      </Grid.Col>
    </Grid>
  );
}
