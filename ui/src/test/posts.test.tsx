import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { MockBackend } from './mockBackend';
import { mockBackend, renderOpenApp } from './render';

/** Two clients; Acme (current) has a failed, an unconfirmed, a missed and an upcoming target. */
function setup() {
  const backend = mockBackend();
  const client = backend.seedClient('Acme Bakery', 'Europe/Berlin');
  const other = backend.seedClient('Beta Books', 'UTC');
  backend.settings.current_client = client.id;
  const x = backend.seedConnection({ client_id: client.id, platform: 'x', account_id: '42', account_name: '@acmebakery' });
  const li = backend.seedConnection({ client_id: client.id, platform: 'linkedin' });
  const post = backend.seedPost({ clientId: client.id, body: 'Croissant day', wallTime: '2025-02-01T09:00' }, [
    { platform: 'x', connectionId: x.id, destinationName: '@acmebakery', state: 'unconfirmed', message: 'The connection dropped after X received the post' },
    { platform: 'linkedin', connectionId: li.id, destinationName: 'Acme Bakery Ltd', state: 'failed', message: 'LinkedIn refused the post: duplicate content' },
  ]);
  const missed = backend.seedPost({ clientId: client.id, body: 'Sunday brunch', wallTime: '2025-02-02T10:00' }, [
    { platform: 'x', connectionId: x.id, destinationName: '@acmebakery', state: 'missed' },
  ]);
  const upcoming = backend.seedPost({ clientId: client.id, body: 'Summer opening hours', wallTime: '2099-06-01T09:00' }, [
    { platform: 'linkedin', connectionId: li.id },
  ]);
  backend.seedPost({ clientId: other.id, body: 'New arrivals', wallTime: '2025-02-03T09:00' }, [{ platform: 'x', state: 'published' }]);
  return { backend, client, other, post, missed, upcoming };
}

async function openPosts(backend: MockBackend) {
  const result = await renderOpenApp(backend);
  await result.user.click(screen.getByTestId('nav-posts'));
  await screen.findByTestId('status-summary');
  return result;
}

const row = (state: string) => {
  const found = screen.getAllByTestId('attention-row').find((r) => r.getAttribute('data-state') === state);
  if (!found) throw new Error(`no ${state} row`);
  return found;
};

describe('posts page', () => {
  it('summarises every client by platform and state', async () => {
    const { backend, client, other } = setup();
    await openPosts(backend);
    const rows = screen.getAllByTestId('status-summary-row');
    expect(rows.map((r) => [r.getAttribute('data-client-id'), r.getAttribute('data-platform')])).toEqual([
      [client.id, 'linkedin'],
      [client.id, 'x'],
      [other.id, 'x'],
    ]);
    const cell = (r: HTMLElement, state: string) => r.querySelector(`[data-state="${state}"]`);
    expect(cell(rows[0], 'failed')).toHaveTextContent('1');
    expect(cell(rows[0], 'scheduled')).toHaveTextContent('1');
    expect(cell(rows[1], 'unconfirmed')).toHaveTextContent('1');
    expect(cell(rows[1], 'missed')).toHaveTextContent('1');
    expect(cell(rows[1], 'published')).toHaveTextContent('—');
    expect(cell(rows[2], 'published')).toHaveTextContent('1');
  });

  it('lists what needs attention with the reason, the scheduler status and what comes next', async () => {
    const { backend, upcoming } = setup();
    await openPosts(backend);
    expect(screen.getAllByTestId('attention-row').map((r) => r.getAttribute('data-state'))).toEqual(['unconfirmed', 'failed', 'missed']);
    expect(within(row('failed')).getByTestId('attention-reason')).toHaveTextContent('LinkedIn refused the post: duplicate content');
    expect(within(row('unconfirmed')).getByTestId('attention-reason')).toHaveTextContent('check the account');
    expect(within(row('missed')).getByTestId('attention-reason')).toHaveTextContent('Publish now or reschedule?');
    expect(screen.getByTestId('scheduler-attention-count')).toHaveTextContent('3 need attention');
    expect(screen.getByTestId('scheduler-next')).toHaveTextContent('Summer opening hours');
    const next = screen.getAllByTestId('upcoming-row');
    expect(next.map((r) => r.getAttribute('data-post-id'))).toEqual([upcoming.id]);
  });

  it('settles an unconfirmed target: on the platform, or not there', async () => {
    const { backend, client, post } = setup();
    const { user } = await openPosts(backend);
    const unconfirmed = post.targets[0];
    expect(within(row('unconfirmed')).queryByTestId('attention-publish-now')).toBeNull();

    await user.click(within(row('unconfirmed')).getByTestId('attention-not-there'));
    await waitFor(() => expect(screen.getAllByTestId('attention-row').filter((r) => r.getAttribute('data-state') === 'failed')).toHaveLength(2));
    expect(backend.calls).toContainEqual(['resolveUnconfirmed', client.id, unconfirmed.id, false, null]);

    // Put it back to unconfirmed and confirm it this time.
    backend.settleTarget(unconfirmed.id, 'unconfirmed', 'Timed out waiting for X');
    await user.click(within(await waitFor(() => row('unconfirmed'))).getByTestId('attention-confirm'));
    await waitFor(() => expect(screen.queryAllByTestId('attention-row').map((r) => r.getAttribute('data-target-id'))).not.toContain(unconfirmed.id));
    expect(backend.calls).toContainEqual(['resolveUnconfirmed', client.id, unconfirmed.id, true, null]);
    expect(backend.posts[0].targets[0].state).toBe('published');
  });

  it('publishes a missed post now, and opens a failed one in Compose to reschedule', async () => {
    const { backend, client, post, missed } = setup();
    const { user } = await openPosts(backend);
    await user.click(within(row('missed')).getByTestId('attention-publish-now'));
    await waitFor(() => expect(screen.queryAllByTestId('attention-row').map((r) => r.getAttribute('data-state'))).not.toContain('missed'));
    expect(backend.calls).toContainEqual(['schedulePost', client.id, missed.id, { kind: 'now' }]);

    await user.click(within(row('failed')).getByTestId('attention-reschedule'));
    expect(await screen.findByTestId('compose-body')).toHaveValue('Croissant day');
    expect(window.location.hash).toBe(`#/compose/${post.id}`);
  });

  it('edits the queue times', async () => {
    const { backend, client } = setup();
    backend.queueSlots.set(client.id, [{ weekday: 0, minute: 9 * 60 }]);
    const { user } = await openPosts(backend);
    await screen.findByTestId('queue-slot-row');
    expect(screen.getByTestId('queue-slot-time')).toHaveValue('09:00');
    expect(screen.getByTestId('queue-slots-save')).toBeDisabled();

    await user.click(screen.getByTestId('queue-slot-add'));
    const rows = screen.getAllByTestId('queue-slot-row');
    expect(rows).toHaveLength(2);
    await user.selectOptions(within(rows[1]).getByTestId('queue-slot-weekday'), '4');
    fireEvent.change(within(rows[1]).getByTestId('queue-slot-time'), { target: { value: '17:45' } });
    await user.click(screen.getByTestId('queue-slots-save'));
    await waitFor(() => expect(backend.queueSlots.get(client.id)).toEqual([
      { weekday: 0, minute: 540 },
      { weekday: 4, minute: 17 * 60 + 45 },
    ]));

    await user.click(screen.getAllByTestId('queue-slot-remove')[0]);
    await user.click(screen.getByTestId('queue-slots-save'));
    await waitFor(() => expect(backend.queueSlots.get(client.id)).toEqual([{ weekday: 4, minute: 1065 }]));
  });
});

describe('post notices', () => {
  it('tells the user on any page what the scheduler did', async () => {
    const { backend, post, missed } = setup();
    await renderOpenApp(backend);
    backend.settleTarget(post.targets[1].id, 'failed', 'LinkedIn is down for maintenance');
    expect(await screen.findByText('Not published')).toBeInTheDocument();
    expect(screen.getByText('Acme Bakery Ltd on LinkedIn: LinkedIn is down for maintenance')).toBeInTheDocument();

    backend.settleTarget(missed.targets[0].id, 'published');
    expect(await screen.findByText('Published')).toBeInTheDocument();
    expect(screen.getByText('@acmebakery on X')).toBeInTheDocument();

    backend.settleTarget(post.targets[0].id, 'unconfirmed');
    expect(await screen.findByText('Check this post')).toBeInTheDocument();
  });
});
