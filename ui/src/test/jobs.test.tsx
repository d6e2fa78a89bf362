import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ImportJob } from '../backend';
import { importJobFixture } from './fixtures';
import type { MockBackend } from './mockBackend';
import { mockBackend, renderOpenApp } from './render';

function setup() {
  const backend = mockBackend();
  const client = backend.seedClient('Acme Bakery');
  backend.settings.current_client = client.id;
  const job = (id: string, overrides: Partial<ImportJob>) =>
    importJobFixture({ id, client_id: client.id, ...overrides });
  backend.importJobs = [
    job('job-run', {
      state: 'running',
      created_at: '2025-01-03T00:00:00Z',
      requests: 42,
      run_ms: 83_000,
      progress: [
        { kind: 'campaigns', total: 10, done: 4, failed: 1 },
        { kind: 'ads', total: null, done: 7, failed: 0 },
      ],
    }),
    job('job-paused', {
      state: 'paused',
      reason: 'rate_limited',
      resume_after: '2025-01-02T12:00:00Z',
      created_at: '2025-01-02T00:00:00Z',
    }),
    job('job-errors', {
      state: 'completed_with_errors',
      trigger: 'auto',
      error_count: 2,
      created_at: '2025-01-01T00:00:00Z',
      finished_at: '2025-01-01T00:10:00Z',
    }),
  ];
  backend.importErrors.set('job-errors', [
    { kind: 'asset', external_id: 'img_77', message: 'HTTP 404 from the CDN', at: '2025-01-01T00:05:00Z' },
    { kind: 'ad', external_id: 'ad_5', message: 'Unsupported creative format', at: '2025-01-01T00:06:00Z' },
  ]);
  return { backend, client };
}

async function openJobs(backend: MockBackend) {
  const result = await renderOpenApp(backend);
  await result.user.click(screen.getByTestId('nav-jobs'));
  await screen.findAllByTestId('jobs-row');
  return result;
}

const rowOf = (jobId: string) => screen.getByTestId(`job-state-${jobId}`).closest('[data-testid="jobs-row"]') as HTMLElement;

describe('jobs page', () => {
  it('lists jobs newest first with state, reason, trigger and progress per kind', async () => {
    const { backend } = setup();
    await openJobs(backend);
    const rows = screen.getAllByTestId('jobs-row');
    expect(rows.map((r) => r.getAttribute('data-job-id'))).toEqual(['job-run', 'job-paused', 'job-errors']);

    expect(screen.getByTestId('job-state-job-run')).toHaveTextContent('Running');
    expect(screen.getByTestId('job-state-job-paused')).toHaveTextContent(/Paused: rate limited — resumes at/);
    expect(screen.getByTestId('job-state-job-errors')).toHaveTextContent('Completed with errors');
    expect(rowOf('job-errors')).toHaveTextContent('auto-sync');

    const campaigns = within(rowOf('job-run')).getByTestId('job-progress-campaigns');
    expect(campaigns).toHaveTextContent('4 / 10 · 1 failed');
    const ads = within(rowOf('job-run')).getByTestId('job-progress-ads');
    expect(ads).toHaveTextContent('7');
    expect(ads).not.toHaveTextContent('/');
    expect(ads.querySelector('[data-indeterminate="true"]')).not.toBeNull();
    expect(rowOf('job-run')).toHaveTextContent('42 requests · 1 min 23 s');
  });

  it('offers the actions each state allows and calls cancel, resume and retry', async () => {
    const { backend, client } = setup();
    const { user } = await openJobs(backend);

    const running = rowOf('job-run');
    expect(within(running).getByTestId('job-cancel')).toBeInTheDocument();
    expect(within(running).queryByTestId('job-resume')).toBeNull();
    expect(within(running).queryByTestId('job-retry')).toBeNull();

    const paused = rowOf('job-paused');
    expect(within(paused).getByTestId('job-cancel')).toBeInTheDocument();
    expect(within(paused).getByTestId('job-resume')).toBeInTheDocument();
    expect(within(paused).queryByTestId('job-retry')).toBeNull();

    const withErrors = rowOf('job-errors');
    expect(within(withErrors).queryByTestId('job-cancel')).toBeNull();
    expect(within(withErrors).getByTestId('job-retry')).toBeInTheDocument();

    await user.click(within(running).getByTestId('job-cancel'));
    await waitFor(() => expect(screen.getByTestId('job-state-job-run')).toHaveTextContent('Cancelled'));
    expect(backend.calls).toContainEqual(['cancelImport', client.id, 'job-run']);

    await user.click(within(rowOf('job-paused')).getByTestId('job-resume'));
    await waitFor(() => expect(screen.getByTestId('job-state-job-paused')).toHaveTextContent('Queued'));
    expect(backend.calls).toContainEqual(['resumeImport', client.id, 'job-paused']);

    await user.click(within(rowOf('job-errors')).getByTestId('job-retry'));
    await waitFor(() => expect(screen.getByTestId('job-state-job-errors')).toHaveTextContent('Queued'));
    expect(backend.calls).toContainEqual(['retryImport', client.id, 'job-errors']);
  });

  it('expands a job to its item errors', async () => {
    const { backend } = setup();
    const { user } = await openJobs(backend);
    await user.click(within(rowOf('job-errors')).getByTestId('job-errors-toggle'));
    const errors = await screen.findAllByTestId('job-error');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toHaveTextContent('img_77');
    expect(errors[0]).toHaveTextContent('HTTP 404 from the CDN');
  });

  it('follows a running job through vault changes', async () => {
    const { backend } = setup();
    await openJobs(backend);
    backend.importJobs[0].progress = [{ kind: 'campaigns', total: 10, done: 9, failed: 1 }];
    for (let i = 0; i < 5; i++) backend.emit({ origin: 'import', changes: [{ entity: 'lib_object', id: `o-${i}`, kind: 'created' }] });
    await waitFor(() => expect(within(rowOf('job-run')).getByTestId('job-progress-campaigns')).toHaveTextContent('9 / 10'));
    // Five writes, one refresh.
    expect(backend.calls.filter((c) => c[0] === 'listImportJobs')).toHaveLength(2);
  });

  it('notifies when an import ends, on any page', async () => {
    const { backend, client } = setup();
    await renderOpenApp(backend);
    backend.emitImportEnded({ client_id: client.id, job_id: 'job-errors', platform: 'meta', state: 'completed_with_errors', message: null, error_count: 2 });
    expect(await screen.findByText('Import of Meta (Facebook) account finished with 2 errors')).toBeInTheDocument();
    backend.importJobs[1].reason = 'reconnect_needed';
    backend.emitImportEnded({ client_id: client.id, job_id: 'job-paused', platform: 'meta', state: 'paused', message: 'Reconnect Meta.', error_count: 0 });
    expect(await screen.findByText('Import of Meta (Facebook) account paused: reconnect needed')).toBeInTheDocument();
  });
});
