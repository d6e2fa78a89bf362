import { ActionIcon, Alert, Badge, Button, Checkbox, Grid, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { toBackendError, useBackend, type Client, type Scheduled, type When } from '../../backend';
import { usePostCheck } from '../../hooks/useComposeChecks';
import { usePostSettled } from '../../hooks/usePostChanges';
import { usePostDraft } from '../../hooks/usePostDraft';
import { usePublishTargets } from '../../hooks/usePublishTargets';
import { formatInZone } from '../../lib/calendar';
import { choosesPlatform, firstCommentUnavailable, isWallTime, type ChosenTarget } from '../../lib/compose';
import { notifyError } from '../../lib/notify';
import { OPEN_STATES, targetKey } from '../../lib/posts';
import { ConfirmDialog } from '../ConfirmDialog';
import { LibraryMediaPicker } from './LibraryMediaPicker';
import { MediaPanel } from './MediaPanel';
import { PostPreview } from './PostPreview';
import { TargetChecks } from './TargetChecks';
import { TargetPicker } from './TargetPicker';
import { TargetStates } from './TargetStates';
import { WhenField } from './WhenField';

type Action = 'draft' | 'at' | 'queue' | 'now';
type Failure = { title: string; code: string; message: string };
type Outcome = { title: string; message: string; warning: string | null };

const FAILURE_TITLES: Record<Action, string> = {
  draft: 'Could not save the draft',
  at: 'Could not schedule the post',
  queue: 'Could not add the post to the queue',
  now: 'Could not publish the post',
};

type Props = {
  client: Client;
  postId: string | null;
  onCreated: (postId: string) => void;
  /** Open another post (a duplicate) or a new one (null). */
  onOpen: (postId: string | null) => void;
};

/** Write a post once for several accounts, check it live, preview it, and send it on its way. */
export function Composer({ client, postId, onCreated, onOpen }: Props) {
  const backend = useBackend();
  const draft = usePostDraft(client.id, postId, onCreated);
  const { form, update, post } = draft;
  const targets = usePublishTargets(client.id);
  const check = usePostCheck(client.id, draft.input, draft.mediaInfo);
  const [busy, setBusy] = useState<Action | 'manage' | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [libraryOpen, setLibraryOpen] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  usePostSettled((e) => {
    if (post && e.post_id === post.id) void draft.reloadStates();
  });

  if (draft.loadError)
    return (
      <Alert color="red" title="Could not open the post" data-testid="compose-load-error">
        {draft.loadError}
      </Alert>
    );
  if (!form)
    return (
      <Text size="sm" c="dimmed">
        Loading the post…
      </Text>
    );

  // Times are read in the zone the post was scheduled in; a new post uses the client's.
  const zone = post?.wallTime ? post.zone : client.timezone;
  const zoneOwner = post?.wallTime && post.zone !== client.timezone ? "this post's time zone" : `${client.name}'s time zone`;
  const hasX = choosesPlatform(form, 'x');
  const hasMeta = choosesPlatform(form, 'meta');
  const noTargets = form.targets.length === 0;
  const blocking = !check.pending && (check.checks ?? []).some((c) => !c.report.ok);
  const scheduledAlready = post?.targets.some((t) => t.state === 'scheduled') ?? false;

  const toggleTarget = (target: ChosenTarget, on: boolean) =>
    update((f) => {
      const key = targetKey(target.connectionId, target.destinationId);
      const rest = f.targets.filter((t) => targetKey(t.connectionId, t.destinationId) !== key);
      return { ...f, targets: on ? [...rest, target] : rest };
    });
  const setVariant = (target: ChosenTarget, variant: string | null) =>
    update((f) => ({
      ...f,
      targets: f.targets.map((t) => (t.connectionId === target.connectionId && t.destinationId === target.destinationId ? { ...t, variant } : t)),
    }));

  const run = async (action: Action) => {
    setBusy(action);
    setFailure(null);
    setOutcome(null);
    try {
      const saved = await draft.persist();
      if (action === 'draft') {
        const kept = saved.targets.some((t) => t.state === 'scheduled');
        const done = { title: kept ? 'Changes saved' : 'Draft saved', message: kept ? 'The schedule is unchanged.' : 'Nothing is scheduled yet.', warning: null };
        setOutcome(done);
        notifications.show({ color: 'teal', title: done.title, message: done.message, autoClose: 3000 });
        return;
      }
      const when: When = action === 'at' ? { kind: 'at', wall_time: form.wallTime, zone } : { kind: action };
      const scheduled: Scheduled = await backend.schedulePost(client.id, saved.id, when);
      draft.setPost(scheduled.post);
      update((f) => ({ ...f, wallTime: scheduled.due.wallTime }));
      const at = `${formatInZone(scheduled.due.at, scheduled.due.zone)} (${scheduled.due.zone})`;
      const done: Outcome =
        action === 'now'
          ? { title: 'Publishing now', message: 'Each account is published in the background; you will be told how it went.', warning: null }
          : action === 'queue'
            ? { title: 'Added to the queue', message: `Next free slot: ${at}.`, warning: scheduled.due.warning }
            : { title: 'Scheduled', message: `Goes out ${at}.`, warning: scheduled.due.warning };
      setOutcome(done);
      notifications.show({ color: 'teal', title: done.title, message: done.message, autoClose: 5000 });
    } catch (e) {
      const err = toBackendError(e);
      setFailure({ title: FAILURE_TITLES[action], code: err.code, message: err.message });
    } finally {
      setBusy(null);
    }
  };

  const manage = async (what: 'unschedule' | 'cancel' | 'duplicate' | 'delete') => {
    if (!post) return;
    setBusy('manage');
    setFailure(null);
    try {
      if (what === 'unschedule') draft.setPost(await backend.unschedulePost(client.id, post.id));
      else if (what === 'cancel') draft.setPost(await backend.cancelPost(client.id, post.id));
      else if (what === 'duplicate') {
        const copy = await backend.duplicatePost(client.id, post.id);
        notifications.show({ color: 'teal', message: 'Duplicated: you are editing the copy.', autoClose: 3000 });
        onOpen(copy.id);
      } else {
        await backend.deletePost(client.id, post.id);
        notifications.show({ color: 'teal', message: 'Post deleted.', autoClose: 3000 });
        onOpen(null);
      }
    } catch (e) {
      const err = toBackendError(e);
      setFailure({ title: `Could not ${what} the post`, code: err.code, message: err.message });
    } finally {
      setBusy(null);
      setConfirmDelete(false);
    }
  };

  const mediaBlocked = noTargets ? 'Choose at least one account first: media are stored with the post, which needs somewhere to go.' : null;

  return (
    <Grid gutter="lg">
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <Stack gap="md">
          <Stack gap={6}>
            <Title order={4}>Publish to</Title>
            <TargetPicker
              groups={targets.groups}
              error={targets.error}
              chosen={form.targets}
              onToggle={toggleTarget}
              onVariant={setVariant}
              onRefresh={targets.refresh}
              body={form.body}
            />
          </Stack>

          <Textarea
            label="Text"
            description={form.targets.some((t) => t.variant !== null) ? 'Accounts with their own text use that instead.' : undefined}
            autosize
            minRows={5}
            value={form.body}
            onChange={(e) => {
              const body = e.currentTarget.value;
              update((f) => ({ ...f, body }));
            }}
            data-testid="compose-body"
          />
          <TextInput
            label="Link"
            placeholder="https://"
            value={form.link}
            onChange={(e) => {
              const link = e.currentTarget.value;
              update((f) => ({ ...f, link }));
            }}
            data-testid="compose-link"
          />
          <Textarea
            label="First comment"
            autosize
            minRows={1}
            disabled={firstCommentUnavailable(form)}
            description={
              firstCommentUnavailable(form)
                ? 'X has no first comment: add it to the thread as the next post instead.'
                : hasX
                  ? 'X has no first comment: leave this empty when publishing to X, or use the thread.'
                  : 'Posted as a comment right after the post (LinkedIn, Facebook).'
            }
            value={form.firstComment}
            onChange={(e) => {
              const firstComment = e.currentTarget.value;
              update((f) => ({ ...f, firstComment }));
            }}
            data-testid="compose-first-comment"
          />

          {hasX && (
            <Stack gap={6} data-testid="compose-thread">
              <Text size="sm" fw={500}>
                X thread
              </Text>
              {form.thread.length === 0 && (
                <Text size="xs" c="dimmed">
                  The text above is the first post; add follow-ups to publish a thread on X.
                </Text>
              )}
              {form.thread.map((part, i) => (
                <Group key={i} align="flex-start" wrap="nowrap" gap="xs">
                  <Textarea
                    style={{ flex: 1 }}
                    autosize
                    minRows={2}
                    aria-label={`Post ${i + 2} of the thread`}
                    placeholder={`Post ${i + 2}`}
                    value={part}
                    onChange={(e) => {
                      const text = e.currentTarget.value;
                      update((f) => ({ ...f, thread: f.thread.map((p, j) => (j === i ? text : p)) }));
                    }}
                    data-testid="compose-thread-part"
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Remove post ${i + 2} of the thread`}
                    onClick={() => update((f) => ({ ...f, thread: f.thread.filter((_, j) => j !== i) }))}
                    data-testid="compose-thread-remove"
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
              ))}
              <Button
                size="xs"
                variant="light"
                leftSection={<IconPlus size={14} />}
                onClick={() => update((f) => ({ ...f, thread: [...f.thread, ''] }))}
                style={{ alignSelf: 'flex-start' }}
                data-testid="compose-thread-add"
              >
                Add to the thread
              </Button>
            </Stack>
          )}

          <Stack gap={6}>
            <Text size="sm" fw={500}>
              Media
            </Text>
            <MediaPanel
              clientId={client.id}
              media={draft.media}
              picked={draft.picked}
              uploading={draft.uploading}
              blockedReason={mediaBlocked}
              onFiles={(files) =>
                void draft.addFiles(files).catch((e) => setFailure({ title: 'Could not add the media', ...codeAndMessage(e) }))
              }
              onRemove={(m) => void draft.removeMedia(m).catch((e) => notifyError(`Could not remove ${m.name}`, e))}
              onLibrary={() => setLibraryOpen(true)}
              onSize={draft.setSize}
            />
          </Stack>

          {hasMeta && (
            <Checkbox
              label="Schedule on Facebook (goes out even if this computer is off; at least 10 minutes ahead)"
              checked={form.nativeSchedule}
              onChange={(e) => {
                const nativeSchedule = e.currentTarget.checked;
                update((f) => ({ ...f, nativeSchedule }));
              }}
              data-testid="compose-native-schedule"
            />
          )}

          <WhenField value={form.wallTime} zone={zone} zoneOwner={zoneOwner} onChange={(wallTime) => update((f) => ({ ...f, wallTime }))} />

          {failure && (
            <Alert color="red" title={failure.title} data-testid="compose-error" data-code={failure.code} withCloseButton onClose={() => setFailure(null)}>
              <Group gap="xs" wrap="nowrap" align="flex-start">
                <Badge color="red" variant="outline" size="sm" style={{ flexShrink: 0 }}>
                  {failure.code}
                </Badge>
                <Text size="sm">{failure.message}</Text>
              </Group>
            </Alert>
          )}

          <Group gap="xs">
            <Button variant="default" onClick={() => void run('draft')} loading={busy === 'draft'} disabled={busy !== null || noTargets} data-testid="compose-save-draft">
              {scheduledAlready ? 'Save changes' : 'Save draft'}
            </Button>
            <Button
              onClick={() => void run('at')}
              loading={busy === 'at'}
              disabled={busy !== null || noTargets || blocking || !isWallTime(form.wallTime)}
              data-testid="compose-schedule"
            >
              {scheduledAlready ? 'Reschedule' : 'Schedule'}
            </Button>
            <Button variant="light" onClick={() => void run('queue')} loading={busy === 'queue'} disabled={busy !== null || noTargets || blocking} data-testid="compose-queue">
              Add to queue
            </Button>
            <Button
              variant="light"
              color="orange"
              onClick={() => void run('now')}
              loading={busy === 'now'}
              disabled={busy !== null || noTargets || blocking}
              data-testid="compose-publish-now"
            >
              Publish now
            </Button>
          </Group>
          {noTargets ? (
            <Text size="xs" c="dimmed">
              Choose at least one account to save or schedule.
            </Text>
          ) : blocking ? (
            <Text size="xs" c="dimmed" data-testid="compose-blocked">
              Fix the errors to schedule or publish; you can still save a draft.
            </Text>
          ) : !isWallTime(form.wallTime) ? (
            <Text size="xs" c="dimmed">
              Pick a time to schedule, or add the post to the client&apos;s queue.
            </Text>
          ) : null}

          {outcome && (
            <Alert color="teal" title={outcome.title} data-testid="compose-outcome">
              <Stack gap={4}>
                <Text size="sm">{outcome.message}</Text>
                {outcome.warning && (
                  <Text size="sm" c="yellow.8">
                    {outcome.warning}
                  </Text>
                )}
              </Stack>
            </Alert>
          )}

          {post && (
            <Paper withBorder p="sm">
              <Stack gap="xs">
                <Group justify="space-between">
                  <Text size="sm" fw={600}>
                    Where it goes
                  </Text>
                  <Group gap={4}>
                    {scheduledAlready && (
                      <Button size="compact-xs" variant="subtle" onClick={() => void manage('unschedule')} disabled={busy !== null} data-testid="compose-unschedule">
                        Back to draft
                      </Button>
                    )}
                    {post.targets.some((t) => OPEN_STATES.has(t.state) && t.state !== 'cancelled') && (
                      <Button size="compact-xs" variant="subtle" color="orange" onClick={() => void manage('cancel')} disabled={busy !== null} data-testid="compose-cancel">
                        Cancel post
                      </Button>
                    )}
                    <Button size="compact-xs" variant="subtle" onClick={() => void manage('duplicate')} disabled={busy !== null} data-testid="compose-duplicate">
                      Duplicate
                    </Button>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => setConfirmDelete(true)} disabled={busy !== null} data-testid="compose-delete">
                      Delete
                    </Button>
                    <Button size="compact-xs" variant="subtle" onClick={() => onOpen(null)} data-testid="compose-new">
                      New post
                    </Button>
                  </Group>
                </Group>
                <TargetStates post={post} onOpenExternal={(url) => void backend.openExternal(url).catch((e) => notifyError('Could not open the link', e))} />
              </Stack>
            </Paper>
          )}
        </Stack>
      </Grid.Col>

      <Grid.Col span={{ base: 12, lg: 5 }}>
        <Stack gap="md">
          <Stack gap={6}>
            <Title order={4}>Checks</Title>
            <TargetChecks targets={form.targets} checks={check.checks} error={check.error} />
          </Stack>
          {form.targets.length > 0 && (
            <Stack gap={6}>
              <Title order={4}>Preview</Title>
              <PostPreview
                clientId={client.id}
                targets={form.targets}
                body={form.body}
                link={form.link}
                firstComment={firstCommentUnavailable(form) ? '' : form.firstComment}
                thread={hasX ? form.thread : []}
                media={draft.media}
                picked={draft.picked}
              />
            </Stack>
          )}
        </Stack>
      </Grid.Col>

      <LibraryMediaPicker
        opened={libraryOpen}
        clientId={client.id}
        onClose={() => setLibraryOpen(false)}
        onPick={(asset) => {
          setLibraryOpen(false);
          void draft.addFromLibrary(asset.id).catch((e) => setFailure({ title: 'Could not attach the library item', ...codeAndMessage(e) }));
        }}
      />
      <ConfirmDialog
        opened={confirmDelete}
        title="Delete this post?"
        confirmLabel="Delete"
        danger
        loading={busy === 'manage'}
        onConfirm={() => void manage('delete')}
        onCancel={() => setConfirmDelete(false)}
      >
        The post, its media and its schedule are removed. Anything already published stays on the platforms.
      </ConfirmDialog>
    </Grid>
  );
}

function codeAndMessage(e: unknown): { code: string; message: string } {
  const err = toBackendError(e);
  return { code: err.code, message: err.message };
}
