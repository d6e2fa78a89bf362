import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockBackend, renderApp } from './render';

describe('startup gate', () => {
  it('opens the app shell when the vault is open', async () => {
    renderApp(mockBackend({ vault: { state: 'open' } }));
    expect(await screen.findByTestId('app-title')).toHaveTextContent('Switchboard');
    for (const page of ['clients', 'connections', 'library', 'compose', 'calendar', 'jobs', 'settings']) {
      expect(screen.getByTestId(`nav-${page}`)).toBeInTheDocument();
    }
    expect(screen.queryByTestId('unlock-passphrase')).not.toBeInTheDocument();
  });

  it('asks for the passphrase, shows the backend error, then unlocks', async () => {
    const backend = mockBackend({ vault: { state: 'needs_passphrase', message: 'Enter the vault passphrase.' }, passphrase: 'correct horse battery' });
    const { user } = renderApp(backend);

    const input = await screen.findByTestId('unlock-passphrase');
    expect(screen.getByText('Enter the vault passphrase.')).toBeInTheDocument();
    await user.type(input, 'wrong guess!');
    await user.click(screen.getByTestId('unlock-submit'));
    expect(await screen.findByText('Wrong passphrase — the vault could not be decrypted.')).toBeInTheDocument();
    expect(screen.queryByTestId('app-title')).not.toBeInTheDocument();

    await user.clear(input);
    await user.type(input, 'correct horse battery');
    await user.click(screen.getByTestId('unlock-submit'));
    expect(await screen.findByTestId('app-title')).toBeInTheDocument();
    expect(backend.calls.filter((c) => c[0] === 'unlockVault')).toEqual([
      ['unlockVault', 'wrong guess!'],
      ['unlockVault', 'correct horse battery'],
    ]);
  });

  it('refuses a too-short or mismatched new passphrase without calling the backend', async () => {
    const backend = mockBackend({ vault: { state: 'needs_new_passphrase', message: '' }, keyringBackend: null });
    const { user } = renderApp(backend);

    expect(await screen.findByText(/No OS keyring \(Secret Service\) was found/)).toBeInTheDocument();
    expect(screen.getByText(/cannot be recovered if lost/)).toBeInTheDocument();

    await user.type(screen.getByTestId('new-passphrase'), 'short');
    await user.type(screen.getByTestId('new-passphrase-confirm'), 'short');
    await user.click(screen.getByTestId('new-passphrase-submit'));
    expect(await screen.findByText('Use at least 10 characters.')).toBeInTheDocument();

    await user.clear(screen.getByTestId('new-passphrase'));
    await user.clear(screen.getByTestId('new-passphrase-confirm'));
    await user.type(screen.getByTestId('new-passphrase'), 'a long enough passphrase');
    await user.type(screen.getByTestId('new-passphrase-confirm'), 'a long enough passfrase');
    await user.click(screen.getByTestId('new-passphrase-submit'));
    expect(await screen.findByText('The two passphrases do not match.')).toBeInTheDocument();
    expect(backend.calls.some((c) => c[0] === 'unlockVault')).toBe(false);

    await user.clear(screen.getByTestId('new-passphrase-confirm'));
    await user.type(screen.getByTestId('new-passphrase-confirm'), 'a long enough passphrase');
    await user.click(screen.getByTestId('new-passphrase-submit'));
    expect(await screen.findByTestId('app-title')).toBeInTheDocument();
    expect(backend.passphrase).toBe('a long enough passphrase');
    expect(backend.keyMode).toBe('passphrase');
  });

  it('lists backups of a damaged vault newest first and restores the chosen one', async () => {
    const backend = mockBackend();
    const older = backend.seedBackup('vault-2025-01-01.db', '2025-01-01T10:00:00Z', 'scheduled', 2048);
    const newer = backend.seedBackup('vault-2025-03-01.db', '2025-03-01T10:00:00Z', 'before-migration', 3 * 1024 * 1024);
    backend.vault = { state: 'damaged', message: 'The vault file is corrupt.', backups: [older, newer] };
    const { user } = renderApp(backend);

    expect(await screen.findByTestId('damaged-message')).toHaveTextContent('The vault file is corrupt.');
    const rows = screen.getAllByTestId('damaged-backup-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('before-migration');
    expect(rows[0]).toHaveTextContent('3.0 MB');
    expect(rows[1]).toHaveTextContent('scheduled');
    expect(rows[1]).toHaveTextContent('2.0 KB');

    await user.click(within(rows[0]).getByRole('button', { name: /Restore/ }));
    expect(await screen.findByTestId('app-title')).toBeInTheDocument();
    expect(backend.calls).toContainEqual(['restoreDamagedVault', 'vault-2025-03-01.db']);
  });

  it('shows an error state with only a Retry action', async () => {
    const backend = mockBackend({ vault: { state: 'error', code: 'schema_too_new', message: 'This vault was written by a newer Switchboard.' } });
    const { user } = renderApp(backend);

    expect(await screen.findByTestId('gate-error-message')).toHaveTextContent('This vault was written by a newer Switchboard.');
    expect(screen.getByText('schema_too_new')).toBeInTheDocument();
    expect(screen.getAllByRole('button').map((b) => b.textContent)).toEqual(['Retry']);

    backend.vault = { state: 'open' };
    await user.click(screen.getByTestId('gate-retry'));
    expect(await screen.findByTestId('app-title')).toBeInTheDocument();
  });

  it('explains when the backend cannot be reached at all', async () => {
    const backend = mockBackend();
    backend.appStatus = async () => {
      throw new Error('invoke is not available');
    };
    renderApp(backend);
    await waitFor(() => expect(screen.getByTestId('gate-error-message')).toHaveTextContent('Could not reach the Switchboard backend: invoke is not available'));
  });
});
