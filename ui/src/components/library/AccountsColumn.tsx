import { Badge, Button, Group, NativeSelect, NavLink, Paper, Stack, Text, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import type { LibAccountSummary } from '../../backend';
import { formatDateTime } from '../../lib/format';
import { AUTO_SYNC_CHOICES, formatCount } from '../../lib/library';

type Props = {
  accounts: LibAccountSummary[] | null;
  platformName: (id: string) => string;
  selected: string | null;
  onSelect: (accountId: string | null) => void;
  onAutoSync: (account: LibAccountSummary, hours: number | null) => void;
  onImport: () => void;
};

/** The client's imported ad accounts by platform, with their auto-sync, and the Import button. */
export function AccountsColumn({ accounts, platformName, selected, onSelect, onAutoSync, onImport }: Props) {
  const platforms = [...new Set((accounts ?? []).map((a) => a.platform))].sort((a, b) => platformName(a).localeCompare(platformName(b)));
  return (
    <Stack gap="sm" data-testid="library-accounts">
      <Button leftSection={<IconDownload size={16} />} onClick={onImport} data-testid="library-import-button">
        Import…
      </Button>
      {accounts === null ? (
        <Text size="sm" c="dimmed">
          Loading accounts…
        </Text>
      ) : accounts.length === 0 ? (
        <Text size="sm" c="dimmed">
          No ad accounts imported yet. Choose Import… to copy one into the library.
        </Text>
      ) : (
        <>
          <NavLink label="All accounts" active={selected === null} onClick={() => onSelect(null)} data-testid="library-account-all" />
          {platforms.map((platform) => (
            <Stack key={platform} gap={4}>
              <Title order={4} size="h6" c="dimmed" tt="uppercase">
                {platformName(platform)}
              </Title>
              {accounts
                .filter((a) => a.platform === platform)
                .map((a) => (
                  <AccountCard key={a.id} account={a} active={a.id === selected} onSelect={onSelect} onAutoSync={onAutoSync} />
                ))}
            </Stack>
          ))}
        </>
      )}
    </Stack>
  );
}

function AccountCard({
  account: a,
  active,
  onSelect,
  onAutoSync,
}: {
  account: LibAccountSummary;
  active: boolean;
  onSelect: (id: string) => void;
  onAutoSync: (account: LibAccountSummary, hours: number | null) => void;
}) {
  return (
    <Paper withBorder p="xs" data-testid="library-account" bg={active ? 'var(--mantine-primary-color-light)' : undefined}>
      <Stack gap={4}>
        <NavLink
          p={0}
          label={
            <Group gap={6} wrap="nowrap">
              <Text size="sm" fw={600} truncate>
                {a.name}
              </Text>
              {a.status !== 'active' && (
                <Badge size="xs" color="gray" variant="light">
                  {a.status}
                </Badge>
              )}
            </Group>
          }
          description={a.external_id}
          active={active}
          variant="subtle"
          onClick={() => onSelect(a.id)}
          data-testid={`library-account-${a.id}`}
        />
        <Text size="xs" c="dimmed">
          {formatCount(a.campaigns)} campaigns · {formatCount(a.ad_groups)} ad groups · {formatCount(a.ads)} ads
        </Text>
        <Text size="xs" c="dimmed">
          {formatCount(a.assets_done)} of {formatCount(a.assets_total)} images and videos saved
        </Text>
        <Text size="xs" c="dimmed">
          {a.last_import_at ? `Last import ${formatDateTime(a.last_import_at)}` : 'Not imported yet'}
        </Text>
        <NativeSelect
          size="xs"
          label="Auto-sync"
          value={a.auto_sync_hours === null ? '' : String(a.auto_sync_hours)}
          onChange={(e) => onAutoSync(a, e.currentTarget.value ? Number(e.currentTarget.value) : null)}
          data={AUTO_SYNC_CHOICES}
          data-testid={`library-autosync-${a.id}`}
        />
      </Stack>
    </Paper>
  );
}
