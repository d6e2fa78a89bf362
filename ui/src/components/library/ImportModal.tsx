import { Alert, Button, Group, Modal, NativeSelect, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type Connection, type ConnectionAccount, type ImportJob } from '../../backend';
import { accountLabel } from '../../lib/connections';

type Props = {
  opened: boolean;
  clientId: string;
  clientName: string;
  platformName: (id: string) => string;
  onClose: () => void;
  onStarted: (job: ImportJob) => void;
};

const DAYS = [
  { value: '', label: 'Default (90 days the first time, then the last 28)' },
  { value: '7', label: 'Last 7 days' },
  { value: '28', label: 'Last 28 days' },
  { value: '90', label: 'Last 90 days' },
  { value: '365', label: 'Last 365 days' },
];

/** "123, 456 ,," -> ["123", "456"]. */
export function parseCampaignIds(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Choose a connection of the client and one of its ad accounts, then start an import. */
export function ImportModal({ opened, clientId, clientName, platformName, onClose, onStarted }: Props) {
  const backend = useBackend();
  const [connections, setConnections] = useState<Connection[] | null>(null);
  const [connectionId, setConnectionId] = useState('');
  const [accounts, setAccounts] = useState<ConnectionAccount[] | null>(null);
  const [account, setAccount] = useState('');
  const [scope, setScope] = useState<'all' | 'campaigns'>('all');
  const [campaigns, setCampaigns] = useState('');
  const [days, setDays] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setError(null);
    setConnections(null);
    let current = true;
    backend
      .listConnections(clientId)
      .then((list) => {
        if (!current) return;
        setConnections(list);
        setConnectionId((id) => (list.some((c) => c.id === id) ? id : (list[0]?.id ?? '')));
      })
      .catch((e) => current && setError(errorMessage(e)));
    return () => {
      current = false;
    };
  }, [backend, clientId, opened]);

  useEffect(() => {
    setAccounts(null);
    setAccount('');
    if (!opened || !connectionId) return;
    let current = true;
    backend
      .connectionAccounts(connectionId)
      .then((list) => {
        if (!current) return;
        const adAccounts = list.filter((a) => a.kind === 'ad_account');
        const usable = adAccounts.length > 0 ? adAccounts : list;
        setAccounts(usable);
        setAccount(usable[0]?.external_id ?? '');
      })
      .catch((e) => current && setError(errorMessage(e)));
    return () => {
      current = false;
    };
  }, [backend, connectionId, opened]);

  const selectedCampaigns = scope === 'campaigns' ? parseCampaignIds(campaigns) : [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!connectionId || !account) {
      setError('Choose a connection and one of its ad accounts.');
      return;
    }
    if (scope === 'campaigns' && selectedCampaigns.length === 0) {
      setError('Enter the ids of the campaigns to import, separated by commas.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const job = await backend.startImport({
        client_id: clientId,
        connection_id: connectionId,
        account,
        campaigns: selectedCampaigns,
        metrics_days: days ? Number(days) : null,
      });
      onStarted(job);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={`Import an ad account of ${clientName}`} centered size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Switchboard copies the campaigns, ad groups, ads, their images and videos and the daily metrics into the
            encrypted library on this computer. Nothing is changed on the platform.
          </Text>
          {connections !== null && connections.length === 0 ? (
            <Alert color="yellow" title="No connections">
              {clientName} has no connected platforms yet. Connect one on the Connections page first.
            </Alert>
          ) : (
            <NativeSelect
              label="Connection"
              value={connectionId}
              onChange={(e) => setConnectionId(e.currentTarget.value)}
              data={(connections ?? []).map((c) => ({
                value: c.id,
                label: `${platformName(c.platform)} — ${accountLabel(c.account_name, c.account_id)}`,
              }))}
              disabled={connections === null}
              data-testid="import-connection-select"
            />
          )}
          <NativeSelect
            label="Ad account"
            value={account}
            onChange={(e) => setAccount(e.currentTarget.value)}
            data={(accounts ?? []).map((a) => ({
              value: a.external_id,
              label: `${accountLabel(a.name, a.external_id)}${a.currency ? ` · ${a.currency}` : ''}`,
            }))}
            disabled={accounts === null || accounts.length === 0}
            description={accounts !== null && accounts.length === 0 ? 'This connection reaches no ad accounts.' : undefined}
            data-testid="import-account-select"
          />
          <Radio.Group label="What to import" value={scope} onChange={(v) => setScope(v as 'all' | 'campaigns')}>
            <Stack gap={6} mt={6}>
              <Radio value="all" label="Everything in the account" data-testid="import-scope-all" />
              <Radio value="campaigns" label="Only selected campaigns" data-testid="import-scope-campaigns" />
            </Stack>
          </Radio.Group>
          {scope === 'campaigns' && (
            <TextInput
              label="Campaign ids"
              description="The platform's campaign ids, separated by commas."
              value={campaigns}
              onChange={(e) => setCampaigns(e.currentTarget.value)}
              data-testid="import-campaigns"
            />
          )}
          <NativeSelect
            label="Daily metrics"
            value={days}
            onChange={(e) => setDays(e.currentTarget.value)}
            data={DAYS}
            data-testid="import-days"
          />
          {error && (
            <Alert color="red" title="Could not start the import" data-testid="import-error">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!account} data-testid="import-submit">
              Start import
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
