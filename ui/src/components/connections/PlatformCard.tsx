import { Alert, Anchor, Badge, Button, Divider, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconKey, IconPlugConnected } from '@tabler/icons-react';
import { Fragment } from 'react';
import type { ApiError, AppCredentialInfo, Brand, BreakerHealth, Connection, DisconnectReport, PlatformInfo } from '../../backend';
import type { WaitingFlow } from '../../hooks/useConnectFlows';
import { revocationMessage, revocationSucceeded } from '../../lib/connections';
import { ExternalLink } from '../ExternalLink';
import { ConnectionDetails } from './ConnectionDetails';
import { ConnectWaiting } from './ConnectWaiting';

export type CardActions = {
  connect: (platform: PlatformInfo) => void;
  reconnect: (c: Connection) => void;
  disconnect: (c: Connection) => void;
  cancel: (platform: string) => void;
  dismissFailure: (platform: string) => void;
  dismissDisconnect: (platform: string) => void;
  changed: () => void;
};

type Props = {
  platform: PlatformInfo;
  connections: Connection[];
  apps: AppCredentialInfo[];
  brands: Brand[];
  breaker: BreakerHealth | null;
  waiting: WaitingFlow | undefined;
  failure: ApiError | undefined;
  disconnected: DisconnectReport | undefined;
  actions: CardActions;
};

/** Test-id suffix of a platform's n-th connection: "meta", then "meta-2", "meta-3"… */
export function connectionKey(platformId: string, index: number): string {
  return index === 0 ? platformId : `${platformId}-${index + 1}`;
}

/** One platform for the current client: its connections, or how to connect it. */
export function PlatformCard({ platform, connections, apps, brands, breaker, waiting, failure, disconnected, actions }: Props) {
  const id = platform.id;
  const name = platform.display_name;
  const titleId = `platform-${id}-title`;

  return (
    <Paper withBorder p="md" radius="md" component="article" aria-labelledby={titleId} data-testid={`connection-card-${id}`} data-connected={connections.length > 0 || undefined}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={2}>
            <Group gap="xs">
              <Title order={3} size="h4" id={titleId}>
                {name}
              </Title>
              {platform.custom && (
                <Badge size="xs" variant="outline" color="gray">
                  Custom provider
                </Badge>
              )}
              {connections.length === 0 && (
                <Badge color="gray" variant="light" data-testid={`connection-status-${id}`} data-status="not_connected">
                  Not connected
                </Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed">
              {platform.renewal}{' '}
              <ExternalLink href={platform.docs_url} size="xs">
                Platform documentation
              </ExternalLink>
            </Text>
          </Stack>
          {!waiting && <ConnectButton platform={platform} connected={connections.length > 0} hasApp={apps.length > 0} onConnect={() => actions.connect(platform)} />}
        </Group>

        {!waiting && apps.length === 0 && (
          <Text size="sm" c="dimmed" id={`connect-needs-app-${id}`} data-testid={`connect-needs-app-${id}`}>
            {name} needs your own app credentials before anything can connect. Add them in{' '}
            <Anchor href="#/settings/app-credentials">Settings → App credentials</Anchor>.
          </Text>
        )}

        {waiting && <ConnectWaiting flow={waiting} platformName={name} onCancel={() => actions.cancel(id)} />}

        {failure && (
          <Alert color="red" title="The connection did not go through" withCloseButton closeButtonLabel="Dismiss" onClose={() => actions.dismissFailure(id)} data-testid={`connect-error-${id}`}>
            <Text size="sm">{failure.message}</Text>
            <Text size="xs" c="dimmed">
              Code: <code>{failure.code}</code>
            </Text>
          </Alert>
        )}

        {disconnected && (
          <Alert
            color={revocationSucceeded(disconnected.revocation) ? 'teal' : 'yellow'}
            title="Disconnected"
            withCloseButton
            closeButtonLabel="Dismiss"
            onClose={() => actions.dismissDisconnect(id)}
            data-testid={`disconnect-result-${id}`}
          >
            {revocationMessage(disconnected.revocation, name)}
          </Alert>
        )}

        {connections.map((c, i) => (
          <Fragment key={c.id}>
            {i > 0 && <Divider />}
            <ConnectionDetails
              connection={c}
              platform={platform}
              brands={brands}
              breaker={breaker}
              testKey={connectionKey(id, i)}
              busy={waiting !== undefined}
              onReconnect={actions.reconnect}
              onDisconnect={actions.disconnect}
              onChanged={actions.changed}
            />
          </Fragment>
        ))}
      </Stack>
    </Paper>
  );
}

type ConnectButtonProps = { platform: PlatformInfo; connected: boolean; hasApp: boolean; onConnect: () => void };

function ConnectButton({ platform, connected, hasApp, onConnect }: ConnectButtonProps) {
  const apiKey = platform.sign_in === 'api_key';
  const label = apiKey ? 'Connect with API key' : connected ? 'Connect another account' : 'Connect';
  return (
    <Button
      variant={connected ? 'default' : 'filled'}
      leftSection={apiKey ? <IconKey size={16} /> : <IconPlugConnected size={16} />}
      disabled={!hasApp}
      onClick={onConnect}
      aria-describedby={hasApp ? undefined : `connect-needs-app-${platform.id}`}
      data-testid={`connect-${platform.id}`}
      style={{ flexShrink: 0 }}
    >
      {label}
    </Button>
  );
}
