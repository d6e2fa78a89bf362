import { Alert, Anchor, Box, Breadcrumbs, Button, Drawer, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { IconPhoto, IconUsers } from '@tabler/icons-react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useAppData } from '../appData';
import { errorMessage, useBackend, type Client, type LibAccountSummary, type LibRow, type PlatformInfo } from '../backend';
import { AccountsColumn } from '../components/library/AccountsColumn';
import { ImportModal } from '../components/library/ImportModal';
import { LibraryFilters, NO_FILTERS, type Filters } from '../components/library/LibraryFilters';
import { LibrarySearch } from '../components/library/LibrarySearch';
import { ObjectPanel } from '../components/library/ObjectPanel';
import { ObjectTable } from '../components/library/ObjectTable';
import { EmptyState } from '../components/EmptyState';
import { useLibraryPages, type LibQuery } from '../hooks/useLibraryPages';
import { useThrottledVaultChanged } from '../hooks/useVaultChanged';
import { DATE_PATTERN, KNOWN_OBJECTIVES, KNOWN_STATUSES, childLevel, levelLabel, unitsToMicros, type SortKey } from '../lib/library';
import { notifyError, notifySuccess } from '../lib/notify';

export function LibraryPage() {
  const { clients, currentClientId } = useAppData();
  const client = clients?.find((c) => c.id === currentClientId) ?? null;
  return (
    <Stack>
      <Title order={2}>Library{client ? ` of ${client.name}` : ''}</Title>
      {clients === null ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : client ? (
        <ClientLibrary key={client.id} client={client} />
      ) : (
        <EmptyState icon={<IconUsers />} title="Choose a client first" testId="library-no-client">
          The library holds each client&apos;s imported ad accounts. Pick a client with the client switcher at the top, or add one
          on the <Anchor href="#/clients">Clients page</Anchor>.
        </EmptyState>
      )}
    </Stack>
  );
}

/** One step of the drill-down: the campaign or ad group whose children are listed. */
type Crumb = { id: string; level: string; name: string };

/** Sorting by a number starts with the largest; by a word, from A. */
const DESC_FIRST = new Set<SortKey>(['spend', 'impressions', 'clicks', 'conversions', 'start']);

function ClientLibrary({ client }: { client: Client }) {
  const backend = useBackend();
  const [accounts, setAccounts] = useState<LibAccountSummary[] | null>(null);
  const [accountsError, setAccountsError] = useState<string | null>(null);
  const [platforms, setPlatforms] = useState<PlatformInfo[]>([]);
  const [accountId, setAccountId] = useState<string | null>(null);
  const [path, setPath] = useState<Crumb[]>([]);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [sort, setSort] = useState<SortKey | null>(null);
  const [desc, setDesc] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);

  const loadAccounts = useCallback(async () => {
    try {
      setAccounts(await backend.libraryAccounts(client.id));
      setAccountsError(null);
    } catch (e) {
      setAccountsError(errorMessage(e));
    }
  }, [backend, client.id]);

  useEffect(() => {
    void loadAccounts();
    backend.listPlatforms().then(setPlatforms, () => setPlatforms([]));
  }, [backend, loadAccounts]);
  useThrottledVaultChanged(() => void loadAccounts());

  const platformName = useCallback((id: string) => platforms.find((p) => p.id === id)?.display_name ?? id, [platforms]);

  const parent = path.at(-1) ?? null;
  const level = parent ? (childLevel(parent.level) ?? 'ad') : 'campaign';

  const query = useMemo<LibQuery>(
    () => ({
      level,
      account_id: accountId,
      platform: filters.platform || null,
      parent_id: parent?.id ?? null,
      statuses: filters.statuses,
      objectives: filters.objectives,
      date_from: DATE_PATTERN.test(filters.dateFrom) ? filters.dateFrom : null,
      date_to: DATE_PATTERN.test(filters.dateTo) ? filters.dateTo : null,
      min_spend_micros: unitsToMicros(filters.minSpend),
      max_spend_micros: unitsToMicros(filters.maxSpend),
      include_removed: filters.includeRemoved,
      sort,
      desc,
    }),
    [level, accountId, parent, filters, sort, desc],
  );
  const pages = useLibraryPages(client.id, query);

  const selectAccount = (id: string | null) => {
    setAccountId(id);
    setPath([]);
  };

  const onSort = (key: SortKey) => {
    if (key === sort) setDesc((d) => !d);
    else {
      setSort(key);
      setDesc(DESC_FIRST.has(key));
    }
  };

  const onOpenRow = (row: LibRow) => {
    if (childLevel(row.level)) setPath((p) => [...p, { id: row.id, level: row.level, name: row.name }]);
    else setOpenId(row.id);
  };

  const setAutoSync = async (account: LibAccountSummary, hours: number | null) => {
    setAccounts((list) => list?.map((a) => (a.id === account.id ? { ...a, auto_sync_hours: hours } : a)) ?? null);
    try {
      await backend.librarySetAutoSync(client.id, account.id, hours);
    } catch (e) {
      notifyError(`Could not change the auto-sync of ${account.name}`, e);
      void loadAccounts();
    }
  };

  const account = accounts?.find((a) => a.id === accountId) ?? null;
  const platformOptions = [...new Set((accounts ?? []).map((a) => a.platform))].map((p) => ({ value: p, label: platformName(p) }));
  const withChosen = (known: string[], chosen: string[]) => [...new Set([...known, ...chosen])];
  const total = pages.total;

  return (
    <Grid gutter="md">
      <Grid.Col span={{ base: 12, md: 3 }}>
        {accountsError && !accounts ? (
          <Alert color="red" title="Could not load the library">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">{accountsError}</Text>
              <Button size="xs" variant="default" onClick={() => void loadAccounts()}>
                Try again
              </Button>
            </Stack>
          </Alert>
        ) : (
          <AccountsColumn
            accounts={accounts}
            platformName={platformName}
            selected={accountId}
            onSelect={selectAccount}
            onAutoSync={(a, hours) => void setAutoSync(a, hours)}
            onImport={() => setImporting(true)}
          />
        )}
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 9 }}>
        <Stack gap="sm">
          <LibrarySearch clientId={client.id} onOpen={(hit) => setOpenId(hit.id)} />
          <Group justify="space-between" align="flex-end">
            <Breadcrumbs separator="›" data-testid="library-breadcrumbs">
              {[
                <Anchor key="top" component="button" type="button" size="sm" onClick={() => setPath([])} data-testid="library-crumb-top">
                  {account ? `${account.name}: campaigns` : 'All campaigns'}
                </Anchor>,
                ...path.map((c, i) =>
                  i === path.length - 1 ? (
                    <Text key={c.id} size="sm" fw={600}>
                      {c.name}
                    </Text>
                  ) : (
                    <Anchor key={c.id} component="button" type="button" size="sm" onClick={() => setPath((p) => p.slice(0, i + 1))}>
                      {c.name}
                    </Anchor>
                  ),
                ),
              ]}
            </Breadcrumbs>
            <Group gap="xs">
              {parent && (
                <Button size="xs" variant="default" onClick={() => setOpenId(parent.id)}>
                  Details of this {parent.level === 'campaign' ? 'campaign' : 'ad group'}
                </Button>
              )}
              <Text size="sm" c="dimmed" data-testid="library-total">
                {total === null
                  ? 'Loading…'
                  : `${new Intl.NumberFormat().format(total)}${pages.capped ? '+' : ''} ${levelLabel(level).toLowerCase()}${
                      pages.capped ? ' — narrow down with filters or search to see them all' : ''
                    }`}
              </Text>
            </Group>
          </Group>
          <LibraryFilters
            filters={filters}
            onChange={setFilters}
            platforms={platformOptions}
            statuses={withChosen(KNOWN_STATUSES, filters.statuses)}
            objectives={withChosen(KNOWN_OBJECTIVES, filters.objectives)}
          />
          {pages.error && (
            <Alert color="red" title="Could not load the list">
              <Group gap="xs">
                <Text size="sm">{pages.error}</Text>
                <Button size="xs" variant="default" onClick={pages.refresh}>
                  Try again
                </Button>
              </Group>
            </Alert>
          )}
          {total === 0 ? (
            <EmptyState icon={<IconPhoto />} title={`No ${levelLabel(level).toLowerCase()} to show`} testId="library-empty">
              {accounts?.length === 0
                ? 'Import an ad account to review its campaigns, ad groups and ads here, offline.'
                : 'Nothing matches these filters. Removed objects are hidden unless “Show removed” is on.'}
            </EmptyState>
          ) : (
            <Box>
              <ObjectTable
                clientId={client.id}
                total={total ?? 0}
                rowAt={pages.rowAt}
                ensureRange={pages.ensureRange}
                version={pages.version}
                sort={sort}
                desc={desc}
                onSort={onSort}
                onOpen={onOpenRow}
                onDetails={(row) => setOpenId(row.id)}
                height="max(360px, calc(100vh - 360px))"
              />
            </Box>
          )}
        </Stack>
      </Grid.Col>

      <Drawer
        opened={openId !== null}
        onClose={() => setOpenId(null)}
        position="right"
        size="xl"
        title="Details"
        data-testid="object-drawer"
      >
        {openId && <ObjectPanel key={openId} clientId={client.id} objectId={openId} onOpen={setOpenId} />}
      </Drawer>

      <ImportModal
        opened={importing}
        clientId={client.id}
        clientName={client.name}
        platformName={platformName}
        onClose={() => setImporting(false)}
        onStarted={(job) => {
          notifySuccess(`Import of the ${platformName(job.platform)} account ${job.account_external_id} started. Follow it on the Jobs page.`);
          void loadAccounts();
        }}
      />
    </Grid>
  );
}
