import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockBackend, renderOpenApp } from './render';
import type { MockBackend } from './mockBackend';

async function openSettings(backend: MockBackend) {
  const result = await renderOpenApp(backend);
  await result.user.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('vault-encryption-status');
  return result;
}

describe('settings page', () => {
  it('shows encryption, key mode and schema version', async () => {
    await openSettings(mockBackend());
    expect(screen.getByTestId('vault-encryption-status')).toHaveTextContent('Encrypted (SQLCipher 4.6.1 community)');
    expect(screen.getByTestId('vault-key-mode')).toHaveTextContent('OS keyring (Secret Service)');
    expect(screen.getByTestId('vault-schema-version')).toHaveTextContent('3 of 3 known');
    expect(screen.getByText('/data/switchboard/vault.db')).toBeInTheDocument();
    expect(screen.getByText('1.5 MB')).toBeInTheDocument();
  });

  it('says NOT encrypted and Passphrase when that is the truth', async () => {
    const backend = mockBackend({ passphrase: 'a long passphrase' });
    backend.encryptedOnDisk = false;
    await openSettings(backend);
    expect(screen.getByTestId('vault-encryption-status')).toHaveTextContent('NOT encrypted');
    expect(screen.getByTestId('vault-encryption-status')).not.toHaveTextContent(/^Encrypted/);
    expect(screen.getByTestId('vault-key-mode')).toHaveTextContent('Passphrase');
  });

  it('turns start at login on and off', async () => {
    const backend = mockBackend();
    const { user } = await openSettings(backend);
    const toggle = await screen.findByTestId('autostart-switch');
    await waitFor(() => expect(toggle).not.toBeDisabled());
    expect(toggle).not.toBeChecked();
    await user.click(toggle);
    await waitFor(() => expect(toggle).toBeChecked());
    expect(backend.autostart).toBe(true);
    await user.click(toggle);
    await waitFor(() => expect(toggle).not.toBeChecked());
    expect(backend.autostart).toBe(false);
  });

  it('runs the integrity check and shows OK', async () => {
    const backend = mockBackend();
    const { user } = await openSettings(backend);
    await user.click(screen.getByTestId('vault-integrity-run'));
    await waitFor(() => expect(screen.getByTestId('vault-integrity-result')).toHaveTextContent('OK'));
    expect(backend.calls).toContainEqual(['vaultIntegrityCheck']);
  });

  it('lists the problems the integrity check found', async () => {
    const backend = mockBackend();
    backend.integrity = { ok: false, cipher_errors: ['HMAC check failed on page 7'], sqlite_errors: ['row 12 missing from index idx_brands'] };
    const { user } = await openSettings(backend);
    await user.click(screen.getByTestId('vault-integrity-run'));
    const result = screen.getByTestId('vault-integrity-result');
    await waitFor(() => expect(result).toHaveTextContent('Problems found'));
    expect(result).toHaveTextContent('HMAC check failed on page 7');
    expect(result).toHaveTextContent('row 12 missing from index idx_brands');
  });

  it('persists the theme toggle', async () => {
    const backend = mockBackend();
    const { user } = await renderOpenApp(backend);
    await user.click(screen.getByTestId('theme-toggle'));
    await waitFor(() => expect(backend.settings.theme).toBe('dark'));
    expect(document.documentElement).toHaveAttribute('data-mantine-color-scheme', 'dark');
    await user.click(screen.getByTestId('theme-toggle'));
    await waitFor(() => expect(backend.settings.theme).toBe('light'));
    expect(backend.calls.filter((c) => c[0] === 'setSetting' && c[1] === 'ui.theme')).toEqual([
      ['setSetting', 'ui.theme', 'dark'],
      ['setSetting', 'ui.theme', 'light'],
    ]);
  });

  it('applies the saved theme on start', async () => {
    const backend = mockBackend();
    backend.settings.theme = 'dark';
    await renderOpenApp(backend);
    await waitFor(() => expect(document.documentElement).toHaveAttribute('data-mantine-color-scheme', 'dark'));
  });

  it('backs up now and lists the new backup', async () => {
    const backend = mockBackend();
    const { user } = await openSettings(backend);
    expect(await screen.findByTestId('backups-empty')).toBeInTheDocument();
    await user.click(screen.getByTestId('vault-backup-now'));
    const row = await screen.findByTestId('backup-row');
    expect(row).toHaveTextContent('vault-1.db');
    expect(row).toHaveTextContent('manual');
  });

  it('restores a backup only after confirmation', async () => {
    const backend = mockBackend();
    backend.seedBackup('vault-old.db', '2025-02-01T00:00:00Z');
    const { user } = await openSettings(backend);
    await user.click(await screen.findByRole('button', { name: 'Restore vault-old.db' }));
    expect(backend.calls.some((c) => c[0] === 'vaultRestore')).toBe(false);
    await user.click(await screen.findByTestId('confirm-ok'));
    await waitFor(() => expect(backend.calls).toContainEqual(['vaultRestore', 'vault-old.db']));
  });

  it('refuses mismatched passphrases when re-keying, then re-keys', async () => {
    const backend = mockBackend();
    const { user } = await openSettings(backend);
    const rekey = screen.getByTestId('settings-rekey');
    await user.click(within(rekey).getByLabelText('Switch to passphrase'));
    await user.type(screen.getByTestId('rekey-passphrase'), 'first passphrase');
    await user.type(screen.getByTestId('rekey-passphrase-confirm'), 'other passphrase');
    await user.click(screen.getByTestId('rekey-start'));
    expect(await screen.findByText('The two passphrases do not match.')).toBeInTheDocument();
    expect(screen.queryByTestId('confirm-dialog')).not.toBeInTheDocument();

    await user.clear(screen.getByTestId('rekey-passphrase-confirm'));
    await user.type(screen.getByTestId('rekey-passphrase-confirm'), 'first passphrase');
    await user.click(screen.getByTestId('rekey-start'));
    await user.click(await screen.findByTestId('confirm-ok'));
    await waitFor(() => expect(screen.getByTestId('vault-key-mode')).toHaveTextContent('Passphrase'));
    expect(backend.calls).toContainEqual(['vaultRekey', 'passphrase', 'first passphrase']);
  });

  it('saves backups kept and shows backend validation errors for updates', async () => {
    const backend = mockBackend();
    const { user } = await openSettings(backend);
    const kept = screen.getByTestId('backups-kept');
    await user.clear(kept);
    await user.type(kept, '25');
    await user.click(screen.getByTestId('backups-kept-save'));
    await waitFor(() => expect(backend.settings.backups_kept).toBe(25));

    await user.type(screen.getByTestId('updater-endpoint'), 'http://insecure.example');
    await user.click(screen.getByTestId('updater-save'));
    expect(await screen.findByText('The update endpoint must be an https:// URL.')).toBeInTheDocument();
    expect(backend.settings.updater_endpoint).toBe('');
  });

  it('checks for updates and reports the result', async () => {
    const backend = mockBackend();
    backend.settings.updater_endpoint = 'https://updates.example/latest.json';
    backend.update = { available: true, version: '0.2.0', notes: 'Faster sync.', current_version: '0.1.0' };
    const { user } = await openSettings(backend);
    await user.click(screen.getByTestId('update-check'));
    const result = screen.getByTestId('update-check-result');
    await waitFor(() => expect(result).toHaveTextContent('Version 0.2.0 is available'));
    expect(result).toHaveTextContent('Faster sync.');
  });

  it('renames the workspace and shows the audit log', async () => {
    const backend = mockBackend();
    const { user } = await openSettings(backend);
    const name = screen.getByTestId('workspace-name');
    await waitFor(() => expect(name).toHaveValue('My agency'));
    await user.clear(name);
    await user.type(name, 'North Star Media');
    await user.click(screen.getByTestId('workspace-save'));
    await waitFor(() => expect(backend.workspace.name).toBe('North Star Media'));
    const row = await screen.findByTestId('audit-row', undefined, { timeout: 3000 });
    expect(row).toHaveTextContent('workspace.rename');
    expect(row).toHaveTextContent('North Star Media');
  });
});
