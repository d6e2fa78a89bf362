import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlugConnected, IconUsers } from '@tabler/icons-react';
import { useCallback, useMemo, useState } from 'react';
import { useAppData } from '../appData';
import { useBackend, type Client, type Connection, type DisconnectReport, type PlatformInfo } from '../backend';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ConnectModal, type ConnectChoice } from '../components/connections/ConnectModal';
import { PlatformCard, type CardActions } from '../components/connections/PlatformCard';
import { EmptyState } from '../components/EmptyState';
import { useClientConnections, type ClientConnections } from '../hooks/useClientConnections';
import { useConnectFlows } from '../hooks/useConnectFlows';
import { accountLabel, ATTENTION_STATUSES, revocationMessage, revocationSucceeded } from '../lib/connections';
import { notifyError } from '../lib/notify';

export function ConnectionsPage() {
  const { clients, currentClientId } = useAppData();
  const client = clients?.find((c) => c.id === currentClientId) ?? null;

  return (
    <Stack maw={1100}>
      <Title order={2}>Connections{client ? ` of ${client.name}` : ''}</Title>
      {clients === null ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : client ? (
        <ClientConnectionsView key={client.id} client={client} />
      ) : (
        <EmptyState icon={<IconUsers />} title="Choose a client first" testId="connections-no-client">
          Connections belong to a client. Pick one with the client switcher at the top, or add one on the{' '}
          <Anchor href="#/clients">Clients page</Anchor>.
        </EmptyState>
      )}
    </Stack>
  );
}

/** Connected platforms first, then the rest, each group by name. */
function orderPlatforms(data: ClientConnections): PlatformInfo[] {
  const connected = new Set(data.connections.map((c) => c.platform));
  return [...data.platforms].sort(
    (a, b) => Number(connected.has(b.id)) - Number(connected.has(a.id)) || a.display_name.localeCompare(b.display_name),
  );
}

function ClientConnectionsView({ client }: { client: Client }) {
  const backend = useBackend();
  const { data, error, reload } = useClientConnections(client.id);
  const platformName = useCallback((id: string) => data?.platforms.find((p) => p.id === id)?.display_name ?? id, [data]);
  const flows = useConnectFlows(platformName, reload);
  const [connecting, setConnecting] = useState<PlatformInfo | null>(null);
  const [toDisconnect, setToDisconnect] = useState<Connection | null>(null);
  const [disconnecting, setDisconnecting] = useState(false);
  const [disconnected, setDisconnected] = useState<Record<string, DisconnectReport>>({});

  const { start, connectApiKey, cancel, dismissFailure } = flows;
  const actions = useMemo<CardActions>(
    () => ({
      connect: setConnecting,
      reconnect: (c) =>
        void start({
          platform: c.platform,
          client_id: c.client_id,
          brand_id: c.brand_id,
          app_credential_id: c.app_credential_id,
          connection_id: c.id,
          capabilities: c.capabilities,
          redirect: null,
        }),
      disconnect: setToDisconnect,
      cancel: (platform) => void cancel(platform),
      dismissFailure,
      dismissDisconnect: (platform) =>
        setDisconnected((d) => {
          const rest = { ...d };
          delete rest[platform];
          return rest;
        }),
      changed: () => void reload(),
    }),
    [start, cancel, dismissFailure, reload],
  );

  const connect = (platform: PlatformInfo, choice: ConnectChoice) => {
    actions.dismissDisconnect(platform.id);
    if (platform.sign_in === 'api_key') {
      void connectApiKey(platform.id, choice.appId, client.id, choice.brandId);
      return;
    }
    void start({
      platform: platform.id,
      client_id: client.id,
      brand_id: choice.brandId,
      app_credential_id: choice.appId,
      connection_id: null,
      capabilities: choice.capabilities,
      redirect: choice.redirect,
    });
  };

  const disconnect = async () => {
    if (!toDisconnect) return;
    const c = toDisconnect;
    const name = platformName(c.platform);
    setDisconnecting(true);
    try {
      const report = await backend.disconnectConnection(c.id);
      setDisconnected((d) => ({ ...d, [c.platform]: report }));
      notifications.show({
        color: revocationSucceeded(report.revocation) ? 'teal' : 'yellow',
        title: `Disconnected ${name}`,
        message: revocationMessage(report.revocation, name),
        autoClose: 8000,
      });
      setToDisconnect(null);
      await reload();
    } catch (e) {
      notifyError(`Could not disconnect ${name}`, e);
    } finally {
      setDisconnecting(false);
    }
  };

  if (error && !data)
    return (
      <Alert color="red" title="Could not load the connections">
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
        Loading connections…
      </Text>
    );

  const attention = data.connections.filter((c) => ATTENTION_STATUSES.has(c.status)).length;
  const connectedPlatforms = new Set(data.connections.map((c) => c.platform)).size;
  const toDisconnectPlatform = toDisconnect ? data.platforms.find((p) => p.id === toDisconnect.platform) : undefined;

  return (
    <Stack>
      {data.connections.length === 0 ? (
        <EmptyState icon={<IconPlugConnected />} title={`${client.name} has no connections yet`} testId="connections-empty">
          Choose Connect on a platform below and sign in with the account {client.name} uses there. Each platform needs your own
          app credentials first (<Anchor href="#/settings/app-credentials">Settings → App credentials</Anchor>).
        </EmptyState>
      ) : (
        <Group gap="xs" data-testid="connections-summary">
          <Text size="sm">
            {connectedPlatforms} of {data.platforms.length} platforms connected
          </Text>
          {attention > 0 && (
            <Text size="sm" c="red" fw={600}>
              · {attention} need{attention === 1 ? 's' : ''} attention
            </Text>
          )}
        </Group>
      )}

      {orderPlatforms(data).map((p) => (
        <PlatformCard
          key={p.id}
          platform={p}
          connections={data.connections.filter((c) => c.platform === p.id)}
          apps={data.apps.filter((a) => a.platform === p.id)}
          brands={data.brands}
          breaker={data.breakers.find((b) => b.platform === p.id) ?? null}
          waiting={flows.waiting[p.id]}
          failure={flows.failures[p.id]}
          disconnected={disconnected[p.id]}
          actions={actions}
        />
      ))}

      <ConnectModal
        platform={connecting}
        clientName={client.name}
        apps={data.apps}
        brands={data.brands}
        onClose={() => setConnecting(null)}
        onSubmit={(choice) => connecting && connect(connecting, choice)}
      />

      <ConfirmDialog
        opened={toDisconnect !== null}
        title={`Disconnect ${toDisconnect ? platformName(toDisconnect.platform) : ''}?`}
        confirmLabel="Disconnect"
        danger
        loading={disconnecting}
        onConfirm={disconnect}
        onCancel={() => setToDisconnect(null)}
      >
        {toDisconnect
          ? `Disconnect ${accountLabel(toDisconnect.account_name, toDisconnect.account_id)} from ${client.name}? ${
              toDisconnectPlatform?.can_revoke
                ? `Switchboard asks ${toDisconnectPlatform.display_name} to revoke its access, then deletes the tokens from the vault.`
                : `${platformName(toDisconnect.platform)} cannot revoke access from outside; Switchboard deletes the tokens from the vault.`
            }`
          : ''}
      </ConfirmDialog>
    </Stack>
  );
}
