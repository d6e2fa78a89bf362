import { ActionIcon, Alert, Anchor, Badge, Checkbox, Group, Paper, Stack, Switch, Text, Textarea, Tooltip } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import type { Destination } from '../../backend';
import type { TargetGroup } from '../../hooks/usePublishTargets';
import type { ChosenTarget } from '../../lib/compose';
import { statusLook } from '../../lib/connections';
import { platformName, targetKey } from '../../lib/posts';
import { PlatformIcon } from './PlatformIcon';

type Props = {
  groups: TargetGroup[] | null;
  error: string | null;
  chosen: ChosenTarget[];
  onToggle: (target: ChosenTarget, on: boolean) => void;
  onVariant: (target: ChosenTarget, variant: string | null) => void;
  onRefresh: (connectionId: string) => void;
  body: string;
};

const KIND_LABELS: Record<string, string> = { page: 'Page', organization: 'Company page', person: 'Member profile', user: 'Account' };

/** A checkbox per destination of each X, LinkedIn and Facebook connection, with optional own text. */
export function TargetPicker({ groups, error, chosen, onToggle, onVariant, onRefresh, body }: Props) {
  if (error)
    return (
      <Alert color="red" title="Could not load the connections">
        {error}
      </Alert>
    );
  if (!groups)
    return (
      <Text size="sm" c="dimmed">
        Loading accounts…
      </Text>
    );
  if (groups.length === 0)
    return (
      <Alert color="gray" data-testid="compose-no-connections">
        This client has no X, LinkedIn or Facebook connection yet. Connect one on the <Anchor href="#/connections">Connections page</Anchor>.
      </Alert>
    );

  const chosenByKey = new Map(chosen.map((t) => [targetKey(t.connectionId, t.destinationId), t]));
  return (
    <Stack gap="xs">
      {groups.map(({ connection, destinations, error: groupError, refreshing }) => {
        // A target saved earlier stays visible even if the platform no longer lists it.
        const listed = destinations ?? [];
        const extra: Destination[] = chosen
          .filter((t) => t.connectionId === connection.id && !listed.some((d) => d.id === t.destinationId))
          .map((t) => ({ id: t.destinationId, name: t.destinationName, kind: t.destinationKind }));
        const status = statusLook(connection.status);
        return (
          <Paper key={connection.id} withBorder p="xs" data-testid="compose-connection" data-connection-id={connection.id}>
            <Group justify="space-between" wrap="nowrap" mb={4}>
              <Group gap={6} wrap="nowrap">
                <PlatformIcon platform={connection.platform} />
                <Text size="sm" fw={600}>
                  {platformName(connection.platform)}
                </Text>
                <Text size="sm" c="dimmed" truncate>
                  {connection.account_name ?? connection.account_id ?? ''}
                </Text>
                {connection.status !== 'active' && (
                  <Badge size="xs" color={status.color} variant="light">
                    {status.label}
                  </Badge>
                )}
              </Group>
              <Tooltip label="Read the pages and accounts again from the platform">
                <ActionIcon
                  variant="subtle"
                  size="sm"
                  loading={refreshing}
                  onClick={() => onRefresh(connection.id)}
                  aria-label={`Refresh the destinations of ${platformName(connection.platform)} ${connection.account_name ?? ''}`}
                  data-testid="compose-refresh-destinations"
                >
                  <IconRefresh size={14} />
                </ActionIcon>
              </Tooltip>
            </Group>
            {groupError && (
              <Text size="xs" c="red" mb={4}>
                {groupError}
              </Text>
            )}
            {destinations && listed.length + extra.length === 0 && !groupError && (
              <Text size="xs" c="dimmed">
                {connection.platform === 'meta'
                  ? 'No Facebook Page found for this account. Make sure the account manages a Page, then refresh.'
                  : 'Nothing to publish to was found. Refresh to ask the platform again.'}
              </Text>
            )}
            <Stack gap={6}>
              {[...listed, ...extra].map((d) => {
                const key = targetKey(connection.id, d.id);
                const picked = chosenByKey.get(key);
                const target: ChosenTarget = picked ?? {
                  connectionId: connection.id,
                  destinationId: d.id,
                  destinationName: d.name,
                  destinationKind: d.kind,
                  platform: connection.platform,
                  variant: null,
                };
                return (
                  <Stack key={key} gap={4}>
                    <Group justify="space-between" wrap="nowrap">
                      <Checkbox
                        checked={!!picked}
                        onChange={(e) => onToggle(target, e.currentTarget.checked)}
                        label={
                          <Group gap={6} wrap="nowrap">
                            <span>{d.name ?? d.id}</span>
                            <Text span size="xs" c="dimmed">
                              {KIND_LABELS[d.kind] ?? d.kind}
                            </Text>
                          </Group>
                        }
                        data-testid="compose-target"
                        data-platform={connection.platform}
                        data-destination-id={d.id}
                      />
                      {picked && (
                        <Switch
                          size="xs"
                          label="Own text"
                          checked={picked.variant !== null}
                          onChange={(e) => onVariant(picked, e.currentTarget.checked ? body : null)}
                          data-testid="compose-variant-toggle"
                          data-destination-id={d.id}
                        />
                      )}
                    </Group>
                    {picked && picked.variant !== null && (
                      <Textarea
                        autosize
                        minRows={2}
                        aria-label={`Text for ${d.name ?? d.id} on ${platformName(connection.platform)}`}
                        value={picked.variant}
                        onChange={(e) => onVariant(picked, e.currentTarget.value)}
                        data-testid="compose-variant"
                        data-destination-id={d.id}
                      />
                    )}
                  </Stack>
                );
              })}
            </Stack>
          </Paper>
        );
      })}
    </Stack>
  );
}
