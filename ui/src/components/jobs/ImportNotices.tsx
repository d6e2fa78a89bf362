import { notifications } from '@mantine/notifications';
import { useEffect } from 'react';
import { useBackend, type Backend, type ImportEnded, type ImportJob } from '../../backend';
import { jobReason } from '../../lib/jobs';

/** Colour and title for an import that ended or paused; `job` adds the error count and pause reason. */
export function importEndedLook(e: ImportEnded, platform: string, job: ImportJob | null): { color: string; title: string } {
  const subject = `Import of ${platform} account`;
  switch (e.state) {
    case 'completed':
      return { color: 'teal', title: `${subject} finished` };
    case 'completed_with_errors': {
      const n = job?.error_count ?? e.error_count;
      return { color: 'orange', title: n > 0 ? `${subject} finished with ${n} error${n === 1 ? '' : 's'}` : `${subject} finished with errors` };
    }
    case 'paused': {
      const reason = job ? jobReason(job) : null;
      return { color: 'yellow', title: `${subject} paused${reason ? `: ${reason}` : ''}` };
    }
    case 'failed':
      return { color: 'red', title: `${subject} failed` };
    case 'cancelled':
      return { color: 'gray', title: `${subject} cancelled` };
    default:
      return { color: 'gray', title: `${subject}: ${e.state.replace(/_/g, ' ')}` };
  }
}

async function notice(backend: Backend, e: ImportEnded) {
  // The event is small; the job (error count, pause reason) and the platform's name are looked up.
  const [platforms, detail] = await Promise.all([
    backend.listPlatforms().catch(() => []),
    backend.getImportJob(e.client_id, e.job_id).catch(() => null),
  ]);
  const platform = platforms.find((p) => p.id === e.platform)?.display_name ?? e.platform;
  const job = detail?.job ?? null;
  const { color, title } = importEndedLook(e, platform, job);
  const account = job ? `Account ${job.account_external_id}. ` : '';
  notifications.show({
    color,
    title,
    message: e.message ?? `${account}Details are on the Jobs page.`,
    autoClose: e.state === 'completed' ? 6000 : 12_000,
  });
}

/** Tells the user, on whatever page is open, when an import ends or pauses. */
export function ImportNotices() {
  const backend = useBackend();
  useEffect(() => backend.onImportEnded((e) => void notice(backend, e)), [backend]);
  return null;
}
