import { Alert, Badge, Button, Code, Group, Stack, Text } from '@mantine/core';
import { IconAlertCircle, IconPlugConnectedX, IconRefresh, IconRotateClockwise } from '@tabler/icons-react';
import { useState } from 'react';
import { useBackend, type Brand, type BreakerHealth, type Connection, type PlatformInfo } from '../../backend';
import { accountLabel, statusLook } from '../../lib/connections';
import { notifyError, notifySuccess } from '../../lib/notify';
import { AccountMismatchAlert } from './AccountMismatchAlert';
import { AccountsList } from './AccountsList';
import { ConnectionFacts } from './ConnectionFacts';
import { ScopeList } from './ScopeList';

type Props = {
  connection: Connection;
  platform: PlatformInfo;
  brands: Brand[];
  breaker: BreakerHealth | null;
  /** Suffix of every test id: the platform id for its first connection. */
  testKey: string;
  /** True while a sign-in for this platform is open in the browser. */
  busy: boolean;
  onReconnect: (c: Connection) => void;
  onDisconnect: (c: Connection) => void;
  onChanged: () => void;
};

/** One connection: status, account, what the platform said, permissions, renewal, accounts. */
export function ConnectionDetails({ connection: c, platform, brands, breaker, testKey, busy, onReconnect, onDisconnect, onChanged }: Props) {
  const backend = useBackend();
  const [refreshing, setRefreshing] = useState(false);
  const look = statusLook(c.status);
  const brand = brands.find((b) => b.id === c.brand_id);
  const mismatch = c.pending_account_id !== null || c.pending_account_name !== null;
  const oauth = platform.sign_in === 'oauth';

  const refresh = async () => {
    setRefreshing(true);
    try {
      const fresh = await backend.refreshConnection(c.id);
      notifySuccess(`${platform.display_name} renewed: ${statusLook(fresh.status).label.toLowerCase()}.`);
      onChanged();
    } catch (e) {
      notifyError(`Could not renew ${platform.display_name}`, e);
      onChanged();
    } finally {
      setRefreshing(false);
    }
  };

  return (
    <Stack gap="sm" data-testid={`connection-${testKey}`} data-connection-id={c.id}>
      <Group gap="xs">
        <Badge color={look.color} variant="light" data-testid={`connection-status-${testKey}`} data-status={c.status}>
          {look.label}
        </Badge>
        <Text fw={600} size="sm" data-testid={`connection-account-name-${testKey}`}>
          {accountLabel(c.account_name, c.account_id)}
        </Text>
        {brand && (
          <Badge variant="outline" color="gray" tt="none">
            Brand: {brand.name}
          </Badge>
        )}
      </Group>

      {mismatch && <AccountMismatchAlert connection={c} platformName={platform.display_name} testId={`connection-mismatch-${testKey}`} onResolved={onChanged} />}

      {(c.status_error || c.status_action) && (
        <Alert color={look.color === 'teal' ? 'yellow' : look.color} icon={<IconAlertCircle size={18} />} title="Needs attention">
          <Stack gap="xs">
            {c.status_action && (
              <Text size="sm" data-testid={`connection-action-${testKey}`}>
                {c.status_action}
              </Text>
            )}
            {c.status_error && (
              <div>
                <Text size="xs" c="dimmed">
                  What {platform.display_name} said
                </Text>
                <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid={`connection-error-${testKey}`}>
                  {c.status_error}
                </Code>
              </div>
            )}
          </Stack>
        </Alert>
      )}

      <ConnectionFacts connection={c} breaker={breaker} testId={`connection-facts-${testKey}`} />
      {oauth && <ScopeList connection={c} testId={`connection-scopes-${testKey}`} />}

      <Group gap="xs">
        {oauth && (
          <Button size="xs" variant="light" leftSection={<IconRotateClockwise size={14} />} disabled={busy} onClick={() => onReconnect(c)} data-testid={`reconnect-${testKey}`}>
            Reconnect
          </Button>
        )}
        {oauth && (
          <Button size="xs" variant="default" leftSection={<IconRefresh size={14} />} loading={refreshing} onClick={refresh} data-testid={`refresh-${testKey}`}>
            Refresh now
          </Button>
        )}
        <Button size="xs" variant="subtle" color="red" leftSection={<IconPlugConnectedX size={14} />} onClick={() => onDisconnect(c)} data-testid={`disconnect-${testKey}`}>
          Disconnect
        </Button>
      </Group>

      <AccountsList connection={c} brands={brands} testId={`connection-accounts-${testKey}`} />
    </Stack>
  );
}
