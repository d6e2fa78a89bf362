import { notifications } from '@mantine/notifications';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../App';
import { MockBackend, type MockOptions } from './mockBackend';

/** Renders the whole app against a fresh in-memory backend. */
export function renderApp(backend: MockBackend = new MockBackend()) {
  act(() => notifications.clean());
  const user = userEvent.setup();
  const utils = render(<App backend={backend} env="test" />);
  return { ...utils, backend, user };
}

export function mockBackend(opts?: MockOptions) {
  return new MockBackend(opts);
}

/** Renders an open vault and waits for the shell. */
export async function renderOpenApp(backend: MockBackend = new MockBackend()) {
  const result = renderApp(backend);
  await screen.findByTestId('app-title');
  return result;
}
