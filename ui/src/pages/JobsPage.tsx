import { Alert, Anchor, Badge, Button, Card, Collapse, Group, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconListCheck, IconUsers } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { useAppData } from '../appData';
import { errorMessage, useBackend, type Client, type ImportItemError, type ImportJob, type ImportProgress, type LibAccountSummary } from '../backend';
import { EmptyState } from '../components/EmptyState';
import { useThrottledVaultChanged } from '../hooks/useVaultChanged';
import { formatDateTime } from '../lib/format';
import { canCancel, canResume, canRetry, formatRunTime, jobStateLook, jobStateText, PROGRESS_KINDS, progressKindLabel } from '../lib/jobs';
import { notifyError } from '../lib/notify';

export function JobsPage() {
  const { clients, currentClientId } = useAppData();
  const client = clients?.find((c) => c.id === currentClientId) ?? null;
  return (
    <Stack maw={1100}>
      <Title order={2}>Jobs{client ? ` of ${client.name}` : ''}</Title>
      {clients === null ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : client ? (
        <ClientJobs key={client.id} client={client} />
      ) : (
        <EmptyState icon={<IconUsers />} title="Choose a client first" testId="jobs-no-client">
          Imports run for a client. Pick one with the client switcher at the top, or add one on the{' '}
          <Anchor href="#/clients">Clients page</Anchor>.
        </EmptyState>
      )}
    </Stack>
  );
}

const newestFirst = (a: ImportJob, b: ImportJob) => b.created_at.localeCompare(a.created_at);

function ClientJobs({ client }: { client: Client }) {
  const backend = useBackend();
  const [jobs, setJobs] = useState<ImportJob[] | null>(null);
  const [accounts, setAccounts] = useState<LibAccountSummary[]>([]);
  const [platformNames, setPlatformNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [list, accs] = await Promise.all([backend.listImportJobs(client.id), backend.libraryAccounts(client.id).catch(() => [])]);
      setJobs([...list].sort(newestFirst));
      setAccounts(accs);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [backend, client.id]);

  useEffect(() => {
    void load();
    backend.listPlatforms().then(
      (list) => setPlatformNames(Object.fromEntries(list.map((p) => [p.id, p.display_name]))),
      () => undefined,
    );
  }, [backend, load]);
  // A running import writes constantly; follow it about once a second.
  useThrottledVaultChanged(() => void load());

  const act = async (job: ImportJob, action: 'cancel' | 'resume' | 'retry') => {
    try {
      const updated =
        action === 'cancel'
          ? await backend.cancelImport(client.id, job.id)
          : action === 'resume'
            ? await backend.resumeImport(client.id, job.id)
            : await backend.retryImport(client.id, job.id);
      setJobs((list) => {
        if (!list) return list;
        const rest = list.filter((j) => j.id !== updated.id);
        return [updated, ...rest].sort(newestFirst);
      });
      void load();
    } catch (e) {
      notifyError(`Could not ${action} the import`, e);
    }
  };

  if (error && !jobs)
    return (
      <Alert color="red" title="Could not load the jobs">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{error}</Text>
          <Button size="xs" variant="default" onClick={() => void load()}>
            Try again
          </Button>
        </Stack>
      </Alert>
    );
  if (!jobs)
    return (
      <Text size="sm" c="dimmed">
        Loading jobs…
      </Text>
    );
  if (jobs.length === 0)
    return (
      <EmptyState icon={<IconListCheck />} title={`No imports have run for ${client.name} yet`} testId="jobs-empty">
        Start one from the <Anchor href="#/library">Library</Anchor> with Import…; its progress and any errors appear here.
      </EmptyState>
    );

  return (
    <Stack gap="sm" data-testid="jobs-list">
      {jobs.map((job) => (
        <JobCard
          key={job.id}
          clientId={client.id}
          job={job}
          platform={platformNames[job.platform] ?? job.platform}
          accountName={accounts.find((a) => a.id === job.account_id || a.external_id === job.account_external_id)?.name ?? null}
          onAction={(action) => void act(job, action)}
        />
      ))}
    </Stack>
  );
}

type CardProps = {
  clientId: string;
  job: ImportJob;
  platform: string;
  accountName: string | null;
  onAction: (action: 'cancel' | 'resume' | 'retry') => void;
};

function JobCard({ clientId, job, platform, accountName, onAction }: CardProps) {
  const [expanded, setExpanded] = useState(false);
  const look = jobStateLook(job.state);
  const progress = [...job.progress].sort((a, b) => PROGRESS_KINDS.indexOf(a.kind) - PROGRESS_KINDS.indexOf(b.kind));

  return (
    <Card withBorder padding="sm" data-testid="jobs-row" data-job-id={job.id}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Group gap="xs">
              <Text fw={600}>
                {platform} · {accountName ? `${accountName} (${job.account_external_id})` : job.account_external_id}
              </Text>
              <Badge color={look.color} variant="light" data-testid={`job-state-${job.id}`} data-state={job.state}>
                {jobStateText(job)}
              </Badge>
              <Badge color="gray" variant="outline" size="sm">
                {job.trigger === 'auto' ? 'auto-sync' : job.trigger}
              </Badge>
            </Group>
            {job.message && (
              <Text size="sm" c={job.state === 'failed' ? 'red' : 'dimmed'} data-testid="job-message">
                {job.message}
              </Text>
            )}
          </Stack>
          <Group gap="xs">
            {canResume(job.state) && (
              <Button size="xs" onClick={() => onAction('resume')} data-testid="job-resume">
                Resume
              </Button>
            )}
            {canRetry(job.state) && (
              <Button size="xs" variant="light" onClick={() => onAction('retry')} data-testid="job-retry">
                Retry failed
              </Button>
            )}
            {canCancel(job.state) && (
              <Button size="xs" variant="default" color="red" onClick={() => onAction('cancel')} data-testid="job-cancel">
                Cancel
              </Button>
            )}
          </Group>
        </Group>

        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="xs" verticalSpacing={6}>
          {progress.map((p) => (
            <ProgressLine key={p.kind} progress={p} running={job.state === 'running'} />
          ))}
        </SimpleGrid>

        <Group gap="lg">
          <Text size="xs" c="dimmed">
            Started {job.started_at ? formatDateTime(job.started_at) : `— (queued ${formatDateTime(job.created_at)})`}
          </Text>
          <Text size="xs" c="dimmed">
            Finished {job.finished_at ? formatDateTime(job.finished_at) : '—'}
          </Text>
          <Text size="xs" c="dimmed">
            {job.requests} requests · {formatRunTime(job.run_ms)}
          </Text>
          {job.error_count > 0 && (
            <Anchor component="button" type="button" size="xs" onClick={() => setExpanded((e) => !e)} data-testid="job-errors-toggle">
              {expanded ? 'Hide' : 'Show'} {job.error_count} item error{job.error_count === 1 ? '' : 's'}
            </Anchor>
          )}
        </Group>
        {job.error_count > 0 && (
          <Collapse in={expanded}>{expanded && <JobErrors clientId={clientId} jobId={job.id} errorCount={job.error_count} />}</Collapse>
        )}
      </Stack>
    </Card>
  );
}

function ProgressLine({ progress: p, running }: { progress: ImportProgress; running: boolean }) {
  const known = p.total !== null;
  return (
    <Stack gap={2} data-testid={`job-progress-${p.kind}`}>
      <Group justify="space-between" gap={4}>
        <Text size="xs">{progressKindLabel(p.kind)}</Text>
        <Text size="xs" c="dimmed">
          {p.done}
          {known ? ` / ${p.total}` : ''}
          {p.failed > 0 ? ` · ${p.failed} failed` : ''}
        </Text>
      </Group>
      <Progress.Root size="sm" aria-label={`${progressKindLabel(p.kind)} progress`}>
        {known ? (
          <>
            <Progress.Section value={p.total ? (p.done / p.total) * 100 : 100} color="blue" />
            {p.failed > 0 && p.total ? <Progress.Section value={(p.failed / p.total) * 100} color="red" /> : null}
          </>
        ) : (
          <Progress.Section value={100} color="blue" striped animated={running} data-indeterminate="true" />
        )}
      </Progress.Root>
    </Stack>
  );
}

function JobErrors({ clientId, jobId, errorCount }: { clientId: string; jobId: string; errorCount: number }) {
  const backend = useBackend();
  const [errors, setErrors] = useState<ImportItemError[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    backend
      .getImportJob(clientId, jobId)
      .then((d) => current && setErrors(d.errors))
      .catch((e) => current && setFailure(errorMessage(e)));
    return () => {
      current = false;
    };
    // Reload when the count changes (a retry fixed or added some).
  }, [backend, clientId, jobId, errorCount]);

  if (failure)
    return (
      <Text size="sm" c="red">
        {failure}
      </Text>
    );
  if (!errors)
    return (
      <Text size="sm" c="dimmed">
        Loading errors…
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table verticalSpacing={4} aria-label="Items that could not be imported" data-testid="job-errors">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Platform id</Table.Th>
            <Table.Th>Error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {errors.map((e, i) => (
            <Table.Tr key={`${e.kind}-${e.external_id}-${i}`} data-testid="job-error">
              <Table.Td>
                <Text size="sm">{e.kind.replace(/_/g, ' ')}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {e.external_id}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{e.message}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
