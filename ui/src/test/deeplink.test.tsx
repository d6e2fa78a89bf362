import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockBackend, renderApp } from './render';

describe('deep links', () => {
  it('shows why a link was ignored', async () => {
    const backend = mockBackend({ vault: { state: 'open' } });
    renderApp(backend);
    await screen.findByTestId('app-title');
    backend.emitDeepLink({ accepted: false, message: 'Ignored a link: unexpected parameter \'redirect\'' });
    expect(await screen.findByText("Ignored a link: unexpected parameter 'redirect'")).toBeInTheDocument();
    expect(screen.getByText('Link ignored')).toBeInTheDocument();
  });

  it('tells the user even while the vault is still locked', async () => {
    const backend = mockBackend({ vault: { state: 'needs_passphrase', message: 'Enter it.' }, passphrase: 'correct horse battery' });
    renderApp(backend);
    await screen.findByTestId('unlock-passphrase');
    backend.emitDeepLink({ accepted: false, message: 'No sign-in is waiting for this callback; nothing was changed.' });
    expect(await screen.findByText(/No sign-in is waiting/)).toBeInTheDocument();
  });
});
