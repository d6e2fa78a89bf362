// Words for import jobs: states, pause reasons, progress kinds, run time.
import type { ImportJob } from '../backend';
import { formatDateTime } from './format';

const STATES: Record<string, { label: string; color: string }> = {
  queued: { label: 'Queued', color: 'gray' },
  running: { label: 'Running', color: 'blue' },
  paused: { label: 'Paused', color: 'yellow' },
  completed: { label: 'Completed', color: 'teal' },
  completed_with_errors: { label: 'Completed with errors', color: 'orange' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'gray' },
};

export function jobStateLook(state: string): { label: string; color: string } {
  return STATES[state] ?? { label: state.replace(/_/g, ' '), color: 'gray' };
}

/** Why a job paused or failed, for a person ("rate limited — resumes at …"). */
export function jobReason(job: Pick<ImportJob, 'reason' | 'resume_after'>): string | null {
  switch (job.reason) {
    case null:
      return null;
    case 'reconnect_needed':
      return 'reconnect needed';
    case 'rate_limited':
      return job.resume_after ? `rate limited — resumes at ${formatDateTime(job.resume_after)}` : 'rate limited';
    case 'interrupted':
      return 'interrupted (the app was closed)';
    default:
      return job.reason.replace(/_/g, ' ');
  }
}

/** The badge text: the state, plus the reason when the job paused or failed. */
export function jobStateText(job: Pick<ImportJob, 'state' | 'reason' | 'resume_after'>): string {
  const label = jobStateLook(job.state).label;
  const reason = job.state === 'paused' || job.state === 'failed' ? jobReason(job) : null;
  return reason ? `${label}: ${reason}` : label;
}

export const PROGRESS_KINDS = ['campaigns', 'ad_groups', 'ads', 'creatives', 'assets', 'metric_days'];

const KIND_LABELS: Record<string, string> = {
  campaigns: 'Campaigns',
  ad_groups: 'Ad groups',
  ads: 'Ads',
  creatives: 'Creatives',
  assets: 'Images and videos',
  metric_days: 'Metric days',
};

export function progressKindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind.replace(/_/g, ' ');
}

export const canCancel = (state: string) => state === 'running' || state === 'queued' || state === 'paused';
export const canResume = (state: string) => state === 'paused';
export const canRetry = (state: string) => state === 'completed_with_errors' || state === 'failed';
export const isActive = (state: string) => state === 'running' || state === 'queued';

/** 83_000 -> "1 min 23 s". */
export function formatRunTime(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
