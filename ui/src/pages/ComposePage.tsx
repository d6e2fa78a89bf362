import { Anchor, Stack, Text, Title } from '@mantine/core';
import { IconUsers } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useAppData } from '../appData';
import { EmptyState } from '../components/EmptyState';
import { Composer } from '../components/publishing/Composer';
import { composeHref, useRouteParam } from '../hooks/useHashRoute';

/**
 * "#/compose" writes a new post, "#/compose/<id>" edits one. The composer that creates a
 * post moves the address to its id without starting over.
 */
export function ComposePage() {
  const { clients, currentClientId } = useAppData();
  const client = clients?.find((c) => c.id === currentClientId) ?? null;
  const routeId = useRouteParam();
  const [session, setSession] = useState({ key: 0, postId: routeId });

  useEffect(() => {
    setSession((s) => (s.postId === routeId ? s : { key: s.key + 1, postId: routeId }));
  }, [routeId]);

  const open = (postId: string | null) => {
    window.location.hash = composeHref(postId);
  };

  // A post belongs to one client: switching clients starts a new post.
  const clientId = client?.id ?? null;
  const shownClient = useRef(clientId);
  useEffect(() => {
    const before = shownClient.current;
    shownClient.current = clientId ?? before;
    if (before && clientId && before !== clientId && window.location.hash !== composeHref(null)) window.location.hash = composeHref(null);
  }, [clientId]);

  return (
    <Stack maw={1400}>
      <Title order={2}>
        {session.postId ? 'Edit post' : 'Compose'}
        {client ? ` for ${client.name}` : ''}
      </Title>
      {clients === null ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : client ? (
        <Composer
          key={`${client.id}/${session.key}`}
          client={client}
          postId={session.postId}
          onCreated={(postId) => {
            setSession((s) => ({ ...s, postId }));
            open(postId);
          }}
          onOpen={open}
        />
      ) : (
        <EmptyState icon={<IconUsers />} title="Choose a client first" testId="compose-no-client">
          Posts are written for a client&apos;s accounts. Pick one with the client switcher at the top, or add one on the{' '}
          <Anchor href="#/clients">Clients page</Anchor>.
        </EmptyState>
      )}
    </Stack>
  );
}
