import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PostInput } from '../backend';
import { assetUrl } from '../lib/assetUrl';
import { libAssetFixture, libRowFixture } from './fixtures';
import type { MockBackend } from './mockBackend';
import { mockBackend, renderOpenApp } from './render';

/** A client in Berlin with an X account, a LinkedIn company page and a Facebook Page. */
function setup() {
  const backend = mockBackend();
  const client = backend.seedClient('Acme Bakery', 'Europe/Berlin');
  backend.settings.current_client = client.id;
  const x = backend.seedConnection({ client_id: client.id, platform: 'x', account_id: '42', account_name: '@acmebakery' });
  const linkedin = backend.seedConnection({ client_id: client.id, platform: 'linkedin', account_name: 'Jane Baker' });
  backend.destinations.set(linkedin.id, [{ id: 'urn:li:organization:7', name: 'Acme Bakery Ltd', kind: 'organization' }]);
  const meta = backend.seedConnection({ client_id: client.id, platform: 'meta', account_name: 'Jane Baker' });
  backend.destinations.set(meta.id, [{ id: 'page-1', name: 'Acme Bakery Page', kind: 'page' }]);
  // Not a publishing platform: never offered as a target.
  backend.seedConnection({ client_id: client.id, platform: 'google_ads' });
  return { backend, client, x, linkedin, meta };
}

async function openCompose(backend: MockBackend) {
  const result = await renderOpenApp(backend);
  await result.user.click(screen.getByTestId('nav-compose'));
  await waitFor(() => expect(screen.getAllByTestId('compose-target')).toHaveLength(3));
  return result;
}

const byPlatform = (testId: string, platform: string) => {
  const found = screen.queryAllByTestId(testId).filter((el) => el.getAttribute('data-platform') === platform);
  if (found.length === 0) throw new Error(`no ${testId} for ${platform}`);
  return found[0];
};
const textCount = (platform: string) =>
  screen.getAllByTestId('compose-count').find((el) => el.getAttribute('data-platform') === platform && el.getAttribute('data-field') === 'text');
const callsOf = (backend: MockBackend, method: string) => backend.calls.filter((c) => c[0] === method);

describe('compose page', () => {
  it('offers a checkbox per destination of each X, LinkedIn and Facebook connection', async () => {
    const { backend, client, meta } = setup();
    const { user } = await openCompose(backend);
    const targets = screen.getAllByTestId('compose-target');
    expect(targets.map((t) => t.getAttribute('data-platform'))).toEqual(['x', 'linkedin', 'meta']);
    expect(screen.getByText('Acme Bakery Page')).toBeInTheDocument();
    expect(screen.queryByTestId('compose-thread')).toBeNull();

    // Refreshing reads the Pages again from the platform.
    backend.destinations.set(meta.id, [
      { id: 'page-1', name: 'Acme Bakery Page', kind: 'page' },
      { id: 'page-2', name: 'Acme Cafe', kind: 'page' },
    ]);
    const metaGroup = screen.getAllByTestId('compose-connection').find((g) => g.getAttribute('data-connection-id') === meta.id) as HTMLElement;
    await user.click(within(metaGroup).getByTestId('compose-refresh-destinations'));
    expect(await within(metaGroup).findByText('Acme Cafe')).toBeInTheDocument();
    expect(backend.calls).toContainEqual(['publishDestinations', client.id, meta.id, true]);
  });

  it('updates the counters as you type, and an over-limit X text shows the issue but still saves as a draft', async () => {
    const { backend, client, x } = setup();
    const { user } = await openCompose(backend);
    await user.click(byPlatform('compose-target', 'x'));
    const body = screen.getByTestId('compose-body');
    await user.type(body, 'Hello');
    await waitFor(() => expect(textCount('x')).toHaveTextContent('5 / 280'));
    // Typing is debounced: the backend saw the finished word, not every keystroke.
    const checkedBodies = callsOf(backend, 'checkPost').map((c) => (c[2] as PostInput).body);
    expect(checkedBodies).toContain('Hello');
    expect(checkedBodies).not.toContain('Hel');

    await user.type(body, ' world');
    await waitFor(() => expect(textCount('x')).toHaveTextContent('11 / 280'));
    expect(textCount('x')).toHaveAttribute('data-over', 'false');

    await user.click(body);
    await user.paste('a'.repeat(290));
    await waitFor(() => expect(textCount('x')).toHaveTextContent('301 / 280'));
    expect(textCount('x')).toHaveAttribute('data-over', 'true');
    const issue = byPlatform('compose-issue', 'x');
    expect(issue).toHaveAttribute('data-code', 'text_too_long');
    expect(issue).toHaveAttribute('data-severity', 'error');
    expect(issue).toHaveTextContent('The text is 301 characters; X allows 280.');
    expect(screen.getByTestId('compose-schedule')).toBeDisabled();
    expect(screen.getByTestId('compose-publish-now')).toBeDisabled();
    expect(screen.getByTestId('compose-blocked')).toBeInTheDocument();

    expect(screen.getByTestId('compose-save-draft')).toBeEnabled();
    await user.click(screen.getByTestId('compose-save-draft'));
    expect(await screen.findByTestId('compose-target-state')).toHaveAttribute('data-state', 'draft');
    const saved = callsOf(backend, 'savePost');
    expect(saved).toHaveLength(1);
    expect(saved[0][1]).toBe(client.id);
    expect(saved[0][2]).toBeNull();
    expect(saved[0][3]).toMatchObject({ body: `Hello world${'a'.repeat(290)}`, targets: [{ connectionId: x.id, destinationId: '42' }] });
    expect(backend.posts).toHaveLength(1);
    await waitFor(() => expect(window.location.hash).toBe(`#/compose/${backend.posts[0].id}`));
  });

  it('schedules the picked time in the client zone and shows each target as scheduled', async () => {
    const { backend, client } = setup();
    const { user } = await openCompose(backend);
    await user.click(byPlatform('compose-target', 'linkedin'));
    await user.type(screen.getByTestId('compose-body'), 'Spring menu is out');
    expect(screen.getByTestId('compose-zone')).toHaveTextContent('Europe/Berlin');
    expect(screen.getByTestId('compose-schedule')).toBeDisabled();

    fireEvent.change(screen.getByTestId('compose-when'), { target: { value: '2025-06-01T10:00' } });
    expect(await screen.findByTestId('compose-due')).toHaveTextContent('UTC+02:00');
    expect(screen.queryByTestId('compose-dst-warning')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('compose-schedule')).toBeEnabled());
    await user.click(screen.getByTestId('compose-schedule'));

    expect(await screen.findByTestId('compose-outcome')).toHaveTextContent('Scheduled');
    const postId = backend.posts[0].id;
    expect(backend.calls).toContainEqual(['schedulePost', client.id, postId, { kind: 'at', wall_time: '2025-06-01T10:00', zone: 'Europe/Berlin' }]);
    expect(screen.getByTestId('compose-target-state')).toHaveAttribute('data-state', 'scheduled');
    expect(backend.posts[0].dueAt).toBe('2025-06-01T08:00:00.000Z');
    expect(screen.getByTestId('compose-schedule')).toHaveTextContent('Reschedule');
  });

  it('warns when the picked time falls in a DST gap', async () => {
    const { backend } = setup();
    const { user } = await openCompose(backend);
    await user.click(byPlatform('compose-target', 'linkedin'));
    fireEvent.change(screen.getByTestId('compose-when'), { target: { value: '2025-03-30T01:30' } });
    expect(await screen.findByTestId('compose-due')).toHaveTextContent('UTC+01:00');
    expect(screen.queryByTestId('compose-dst-warning')).toBeNull();

    fireEvent.change(screen.getByTestId('compose-when'), { target: { value: '2025-03-30T02:30' } });
    const warning = await screen.findByTestId('compose-dst-warning');
    expect(warning).toHaveTextContent('02:30 does not exist on 2025-03-30 in Europe/Berlin (clocks go forward). Scheduled at 03:30 instead.');
    expect(backend.calls).toContainEqual(['resolveDue', 'Europe/Berlin', '2025-03-30T02:30']);
  });

  it('publishes now with {kind: "now"}', async () => {
    const { backend, client } = setup();
    const { user } = await openCompose(backend);
    await user.click(byPlatform('compose-target', 'meta'));
    await user.type(screen.getByTestId('compose-body'), 'Open today until 6');
    await waitFor(() => expect(textCount('meta')).toHaveTextContent('18 / 63206'));
    await user.click(screen.getByTestId('compose-publish-now'));
    expect(await screen.findByTestId('compose-outcome')).toHaveTextContent('Publishing now');
    expect(backend.calls).toContainEqual(['schedulePost', client.id, backend.posts[0].id, { kind: 'now' }]);
    expect(callsOf(backend, 'schedulePost')).toHaveLength(1);
  });

  it('shows a backend error with its code', async () => {
    const { backend } = setup();
    const { user } = await openCompose(backend);
    await user.click(byPlatform('compose-target', 'linkedin'));
    await user.type(screen.getByTestId('compose-body'), 'Queue me');
    await user.click(screen.getByTestId('compose-queue'));
    const error = await screen.findByTestId('compose-error');
    expect(error).toHaveAttribute('data-code', 'invalid_input');
    expect(error).toHaveTextContent('Could not add the post to the queue');
    expect(error).toHaveTextContent('this client has no queue slots yet');
    // The draft itself was saved.
    expect(screen.getByTestId('compose-target-state')).toHaveAttribute('data-state', 'draft');
  });

  it('shows the thread only for X and keeps the first comment off when only X is chosen', async () => {
    const { backend } = setup();
    const { user } = await openCompose(backend);
    await user.click(byPlatform('compose-target', 'linkedin'));
    expect(screen.getByTestId('compose-first-comment')).toBeEnabled();
    expect(screen.queryByTestId('compose-native-schedule')).toBeNull();
    await user.click(byPlatform('compose-target', 'linkedin'));
    await user.click(byPlatform('compose-target', 'x'));
    expect(screen.getByTestId('compose-first-comment')).toBeDisabled();

    await user.click(screen.getByTestId('compose-thread-add'));
    await user.click(screen.getByTestId('compose-thread-add'));
    const parts = screen.getAllByTestId('compose-thread-part');
    expect(parts).toHaveLength(2);
    await user.type(parts[1], 'Third post');
    await user.click(screen.getAllByTestId('compose-thread-remove')[0]);
    expect(screen.getAllByTestId('compose-thread-part')).toHaveLength(1);
    expect(screen.getByTestId('compose-thread-part')).toHaveValue('Third post');
    const preview = byPlatform('compose-preview', 'x');
    expect(within(preview).getAllByTestId('compose-preview-thread-part')).toHaveLength(1);

    await user.click(byPlatform('compose-target', 'meta'));
    expect(screen.getByTestId('compose-native-schedule')).toBeInTheDocument();
    expect(screen.getByTestId('compose-first-comment')).toBeEnabled();
  });

  it('gives a target its own text', async () => {
    const { backend } = setup();
    const { user } = await openCompose(backend);
    await user.type(screen.getByTestId('compose-body'), 'Same for all');
    await user.click(byPlatform('compose-target', 'x'));
    await user.click(byPlatform('compose-target', 'linkedin'));
    await user.click(screen.getAllByTestId('compose-variant-toggle')[0]);
    const variant = screen.getByTestId('compose-variant');
    expect(variant).toHaveValue('Same for all');
    await user.clear(variant);
    await user.type(variant, 'Short');
    await waitFor(() => expect(textCount('x')).toHaveTextContent('5 / 280'));
    expect(textCount('linkedin')).toHaveTextContent('12 / 3000');
    expect(within(byPlatform('compose-preview', 'x')).getByText('Short')).toBeInTheDocument();
  });
});

describe('compose media', () => {
  afterEach(() => vi.restoreAllMocks());

  const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

  it('saves a draft first, uploads the picked file as base64, shows it and removes it', async () => {
    const { backend, client } = setup();
    Object.defineProperty(URL, 'createObjectURL', { value: vi.fn(() => 'blob:croissant'), configurable: true });
    Object.defineProperty(URL, 'revokeObjectURL', { value: vi.fn(), configurable: true });
    const { user } = await openCompose(backend);
    expect(screen.getByTestId('compose-media-input')).toBeDisabled();
    await user.click(byPlatform('compose-target', 'linkedin'));

    await user.upload(screen.getByTestId('compose-media-input'), new File([PNG], 'croissant.png', { type: 'image/png' }));
    const item = await screen.findByTestId('compose-media-item');
    expect(within(item).getByRole('img', { name: 'croissant.png' })).toHaveAttribute('src', 'blob:croissant');
    const postId = backend.posts[0].id;
    const order = backend.calls.map((c) => c[0]).filter((m) => m === 'savePost' || m === 'addPostMedia');
    expect(order).toEqual(['savePost', 'addPostMedia']);
    const upload = callsOf(backend, 'addPostMedia')[0];
    expect(upload.slice(1, 4)).toEqual([client.id, postId, 'croissant.png']);
    expect(backend.posts[0].media[0]).toMatchObject({ mime: 'image/png', size: PNG.length });
    // The check now knows about the image.
    await waitFor(() => expect(callsOf(backend, 'checkPost').at(-1)?.[3]).toEqual([{ mime: 'image/png', sizeBytes: PNG.length, width: null, height: null }]));

    const mediaId = item.getAttribute('data-media-id');
    expect(mediaId).toBe(backend.posts[0].media[0].id);
    await user.click(within(item).getByTestId('compose-media-remove'));
    await waitFor(() => expect(screen.queryByTestId('compose-media-item')).toBeNull());
    expect(backend.calls).toContainEqual(['removePostMedia', client.id, postId, mediaId]);
    expect(backend.posts[0].media).toEqual([]);
  });

  it('shows why a file is refused', async () => {
    const { backend } = setup();
    const { user } = await openCompose(backend);
    await user.click(byPlatform('compose-target', 'linkedin'));
    await user.upload(screen.getByTestId('compose-media-input'), new File(['just text'], 'notes.png', { type: 'image/png' }));
    expect(await screen.findByTestId('compose-error')).toHaveTextContent('notes.png is not an image or video Switchboard can publish');
    expect(screen.queryByTestId('compose-media-item')).toBeNull();
  });

  it('attaches an image of an ad found in the library', async () => {
    const { backend, client } = setup();
    backend.libRows = [libRowFixture({ id: 'ad-1', level: 'ad', name: 'Croissant ad' })];
    backend.searchIndex = [{ id: 'ad-1', kind: 'ad', name: 'Croissant ad', platform: 'meta', snippet: 'warm [croissant]s' }];
    backend.libDetails.set('ad-1', {
      assets: [libAssetFixture({ id: 'asset-9', name: 'croissant.jpg' }), libAssetFixture({ id: 'asset-bad', status: 'failed' })],
    });
    const { user } = await openCompose(backend);
    await user.click(byPlatform('compose-target', 'meta'));
    await user.click(screen.getByTestId('compose-library-open'));
    await user.type(await screen.findByTestId('compose-library-search'), 'croissant');
    await user.click(await screen.findByTestId('compose-library-hit'));
    const assets = await screen.findAllByTestId('compose-library-asset');
    expect(assets.map((a) => a.getAttribute('data-asset-id'))).toEqual(['asset-9']);
    await user.click(assets[0]);

    const item = await screen.findByTestId('compose-media-item');
    expect(item).toHaveAttribute('data-source', 'library:asset-9');
    expect(within(item).getByRole('img')).toHaveAttribute('src', assetUrl(client.id, 'asset-9', true));
    expect(backend.calls).toContainEqual(['addPostMediaFromLibrary', client.id, backend.posts[0].id, 'asset-9']);
  });
});

describe('editing a post', () => {
  it('opens #/compose/<id> with its text, targets and time, and follows the scheduler', async () => {
    const { backend, client, x } = setup();
    const post = backend.seedPost({ clientId: client.id, body: 'Weekend special', wallTime: '2025-07-05T09:15' }, [
      { platform: 'x', connectionId: x.id, destinationId: '42', destinationName: '@acmebakery' },
    ]);
    window.location.hash = `#/compose/${post.id}`;
    await renderOpenApp(backend);
    expect(await screen.findByTestId('compose-body')).toHaveValue('Weekend special');
    expect(screen.getByTestId('compose-when')).toHaveValue('2025-07-05T09:15');
    await waitFor(() => expect(byPlatform('compose-target', 'x')).toBeChecked());
    expect(byPlatform('compose-target', 'linkedin')).not.toBeChecked();
    expect(screen.getByTestId('compose-target-state')).toHaveAttribute('data-state', 'scheduled');

    backend.settleTarget(post.targets[0].id, 'published');
    await waitFor(() => expect(screen.getByTestId('compose-target-state')).toHaveAttribute('data-state', 'published'));
  });
});
