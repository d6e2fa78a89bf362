import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MockBackend } from './mockBackend';
import { mockBackend, renderOpenApp } from './render';

// The calendar opens on today: pin "today" to Wednesday 5 March 2025 (timers stay real).
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2025-03-05T12:00:00Z'));
});
afterEach(() => vi.useRealTimers());

/** A Berlin client with posts in March 2025, one of them chosen in New York time. */
function setup() {
  const backend = mockBackend();
  const client = backend.seedClient('Acme Bakery', 'Europe/Berlin');
  backend.settings.current_client = client.id;
  const x = backend.seedConnection({ client_id: client.id, platform: 'x', account_id: '42', account_name: '@acmebakery' });
  const li = backend.seedConnection({ client_id: client.id, platform: 'linkedin', account_name: 'Acme Bakery Ltd' });
  // 23:30 on Sunday 9 March in New York is already 10 March in UTC and in Berlin.
  const newYork = backend.seedPost({ clientId: client.id, body: 'Late night in NYC', zone: 'America/New_York', wallTime: '2025-03-09T23:30' }, [
    { platform: 'x', connectionId: x.id },
  ]);
  const berlin = backend.seedPost({ clientId: client.id, body: 'Spring menu', wallTime: '2025-03-12T10:30' }, [
    { platform: 'linkedin', connectionId: li.id },
    { platform: 'x', connectionId: x.id },
  ]);
  const done = backend.seedPost({ clientId: client.id, body: 'Already out', wallTime: '2025-03-03T09:00' }, [
    { platform: 'x', connectionId: x.id, state: 'published' },
  ]);
  const mixed = backend.seedPost({ clientId: client.id, body: 'Half went out', wallTime: '2025-03-04T08:00' }, [
    { platform: 'x', connectionId: x.id, state: 'published' },
    { platform: 'linkedin', connectionId: li.id, state: 'failed', message: 'Token expired' },
  ]);
  return { backend, client, newYork, berlin, done, mixed };
}

async function openCalendar(backend: MockBackend) {
  const result = await renderOpenApp(backend);
  await result.user.click(screen.getByTestId('nav-calendar'));
  await screen.findAllByTestId('calendar-post');
  return result;
}

const day = (date: string) => {
  const cell = screen.getAllByTestId('calendar-day').find((d) => d.getAttribute('data-date') === date);
  if (!cell) throw new Error(`day ${date} is not shown`);
  return cell;
};
const slot = (date: string, hour: number) => {
  const cell = screen.getAllByTestId('calendar-slot').find((d) => d.getAttribute('data-date') === date && d.getAttribute('data-hour') === String(hour));
  if (!cell) throw new Error(`slot ${date} ${hour}:00 is not shown`);
  return cell;
};
const chip = (postId: string) => {
  const found = screen.getAllByTestId('calendar-post').find((c) => c.getAttribute('data-post-id') === postId);
  if (!found) throw new Error(`post ${postId} is not on the calendar`);
  return found;
};
const drag = (from: HTMLElement, to: HTMLElement) => {
  fireEvent.dragStart(from);
  fireEvent.dragOver(to);
  fireEvent.drop(to);
  fireEvent.dragEnd(from);
};
const schedules = (backend: MockBackend) => backend.calls.filter((c) => c[0] === 'schedulePost');

describe('calendar', () => {
  it('shows each post on its day in its own zone, with time, state and networks', async () => {
    const { backend, newYork, berlin, done, mixed } = setup();
    await openCalendar(backend);
    expect(screen.getByTestId('calendar-title')).toHaveTextContent('March 2025');

    const nyChip = within(day('2025-03-09')).getByTestId('calendar-post');
    expect(nyChip).toHaveAttribute('data-post-id', newYork.id);
    expect(within(nyChip).getByTestId('calendar-post-time')).toHaveTextContent('23:30');
    expect(nyChip).toHaveTextContent('America/New_York');
    expect(within(day('2025-03-10')).queryByTestId('calendar-post')).toBeNull();

    const berlinChip = chip(berlin.id);
    expect(day('2025-03-12')).toContainElement(berlinChip);
    expect(berlinChip).toHaveAttribute('data-state', 'scheduled');
    expect(berlinChip).toHaveTextContent('10:30');
    expect(within(berlinChip).getByRole('img', { name: 'LinkedIn' })).toBeInTheDocument();
    expect(within(berlinChip).getByRole('img', { name: 'X' })).toBeInTheDocument();

    expect(chip(done.id)).toHaveAttribute('data-state', 'published');
    expect(chip(mixed.id)).toHaveAttribute('data-state', 'failed');
  });

  it('filters by platform', async () => {
    const { backend, client, newYork, berlin } = setup();
    const { user } = await openCalendar(backend);
    await user.click(screen.getByText('LinkedIn'));
    await waitFor(() => expect(screen.queryAllByTestId('calendar-post').map((c) => c.getAttribute('data-post-id'))).not.toContain(newYork.id));
    expect(chip(berlin.id)).toBeInTheDocument();
    const last = backend.calls.filter((c) => c[0] === 'listPosts').at(-1);
    expect(last?.[1]).toBe(client.id);
    expect(last?.[2]).toMatchObject({ platform: 'linkedin' });
  });

  it('moves a post dropped on another day to the same wall time in its zone', async () => {
    const { backend, client, newYork, berlin } = setup();
    await openCalendar(backend);

    drag(chip(berlin.id), day('2025-03-20'));
    await waitFor(() => expect(day('2025-03-20')).toContainElement(chip(berlin.id)));
    expect(schedules(backend)).toEqual([['schedulePost', client.id, berlin.id, { kind: 'at', wall_time: '2025-03-20T10:30', zone: 'Europe/Berlin' }]]);

    drag(chip(newYork.id), day('2025-03-11'));
    await waitFor(() => expect(day('2025-03-11')).toContainElement(chip(newYork.id)));
    expect(schedules(backend)[1]).toEqual(['schedulePost', client.id, newYork.id, { kind: 'at', wall_time: '2025-03-11T23:30', zone: 'America/New_York' }]);
    expect(await screen.findAllByText('Rescheduled')).toHaveLength(2);
  });

  it('takes the hour slot in the week view', async () => {
    const { backend, client, berlin } = setup();
    const { user } = await openCalendar(backend);
    await user.click(screen.getByTestId('calendar-view-week'));
    await user.click(screen.getByTestId('calendar-next'));
    await waitFor(() => expect(slot('2025-03-12', 10)).toContainElement(chip(berlin.id)));

    drag(chip(berlin.id), slot('2025-03-13', 14));
    await waitFor(() => expect(slot('2025-03-13', 14)).toContainElement(chip(berlin.id)));
    expect(schedules(backend)).toEqual([['schedulePost', client.id, berlin.id, { kind: 'at', wall_time: '2025-03-13T14:30', zone: 'Europe/Berlin' }]]);
  });

  it('does not move posts that already went out', async () => {
    const { backend, done } = setup();
    await openCalendar(backend);
    expect(chip(done.id)).toHaveAttribute('draggable', 'false');
    drag(chip(done.id), day('2025-03-20'));
    expect(day('2025-03-03')).toContainElement(chip(done.id));
    expect(schedules(backend)).toEqual([]);
  });

  it('shows a refused move and puts the post back', async () => {
    const { backend, berlin } = setup();
    backend.failures.set('schedulePost', { code: 'conflict', message: 'this post is being published right now; wait for it to finish' });
    await openCalendar(backend);
    drag(chip(berlin.id), day('2025-03-20'));
    expect(await screen.findByText('this post is being published right now; wait for it to finish')).toBeInTheDocument();
    expect(screen.getByText('Could not move the post')).toBeInTheDocument();
    await waitFor(() => expect(day('2025-03-12')).toContainElement(chip(berlin.id)));
  });

  it('opens a post in Compose when clicked', async () => {
    const { backend, berlin } = setup();
    const { user } = await openCalendar(backend);
    await user.click(chip(berlin.id));
    expect(await screen.findByTestId('compose-body')).toHaveValue('Spring menu');
    expect(window.location.hash).toBe(`#/compose/${berlin.id}`);
    expect(screen.getByTestId('nav-compose')).toHaveAttribute('aria-current', 'page');
  });

  it('follows the scheduler and post changes, not unrelated writes', async () => {
    const { backend, berlin } = setup();
    await openCalendar(backend);
    const loads = () => backend.calls.filter((c) => c[0] === 'listPosts').length;
    const before = loads();
    backend.emit({ origin: 'import', changes: [{ entity: 'lib_object', id: 'o-1', kind: 'created' }] });
    await new Promise((r) => setTimeout(r, 400));
    expect(loads()).toBe(before);

    backend.settleTarget(berlin.targets[0].id, 'failed', 'Token expired');
    await waitFor(() => expect(chip(berlin.id)).toHaveAttribute('data-state', 'failed'));
    expect(loads()).toBeGreaterThan(before);
  });

  it('steps through months and weeks and back to today', async () => {
    const { backend } = setup();
    const { user } = await openCalendar(backend);
    expect(day('2025-03-05')).toHaveAttribute('data-today', 'true');
    await user.click(screen.getByTestId('calendar-next'));
    expect(screen.getByTestId('calendar-title')).toHaveTextContent('April 2025');
    await user.click(screen.getByTestId('calendar-view-week'));
    expect(screen.getAllByTestId('calendar-day').map((d) => d.getAttribute('data-date'))).toEqual([
      '2025-03-31',
      '2025-04-01',
      '2025-04-02',
      '2025-04-03',
      '2025-04-04',
      '2025-04-05',
      '2025-04-06',
    ]);
    await user.click(screen.getByTestId('calendar-today'));
    expect(screen.getAllByTestId('calendar-day')[0]).toHaveAttribute('data-date', '2025-03-03');
  });
});
