import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockBackend, renderOpenApp } from './render';

const rowNames = () => screen.queryAllByTestId('client-row').map((r) => within(r).getAllByRole('button')[0].textContent);

describe('clients page', () => {
  it('shows an empty state, then a created client', async () => {
    const backend = mockBackend();
    const { user } = await renderOpenApp(backend);

    expect(await screen.findByTestId('clients-empty')).toHaveTextContent('No clients yet');
    await user.type(screen.getByTestId('new-client-name'), 'Acme Bakery');
    await user.click(screen.getByTestId('new-client-submit'));

    const row = await screen.findByTestId('client-row');
    expect(row).toHaveTextContent('Acme Bakery');
    expect(backend.clients.map((c) => c.name)).toEqual(['Acme Bakery']);
    expect(screen.getByTestId('new-client-name')).toHaveValue('');
    // The first client becomes the current one, persisted in settings.
    await waitFor(() => expect(backend.settings.current_client).toBe(backend.clients[0].id));
  });

  it('shows the backend error for a duplicate name', async () => {
    const backend = mockBackend();
    backend.seedClient('Acme Bakery');
    const { user } = await renderOpenApp(backend);

    await screen.findByTestId('client-row');
    await user.type(screen.getByTestId('new-client-name'), 'acme bakery');
    await user.click(screen.getByTestId('new-client-submit'));

    expect(await screen.findByText('A client named "acme bakery" already exists.')).toBeInTheDocument();
    expect(backend.clients).toHaveLength(1);
    expect(screen.getAllByTestId('client-row')).toHaveLength(1);
  });

  it('refuses an empty name without calling the backend', async () => {
    const backend = mockBackend();
    const { user } = await renderOpenApp(backend);
    await user.click(screen.getByTestId('new-client-submit'));
    expect(await screen.findByText('A client needs a name.')).toBeInTheDocument();
    expect(backend.calls.some((c) => c[0] === 'createClient')).toBe(false);
  });

  it('adds, renames and deletes brands of the selected client', async () => {
    const backend = mockBackend();
    const acme = backend.seedClient('Acme Bakery');
    const zed = backend.seedClient('Zed Cycles');
    backend.seedBrand(zed.id, 'Zed Kids');
    const { user } = await renderOpenApp(backend);

    await user.click(await screen.findByRole('button', { name: 'Acme Bakery' }));
    const panel = await screen.findByTestId('brands-panel');
    expect(panel).toHaveTextContent('Brands of Acme Bakery');
    expect(await within(panel).findByTestId('brands-empty')).toBeInTheDocument();
    expect(backend.settings.current_client).toBe(acme.id);

    await user.type(screen.getByTestId('new-brand-name'), 'Acme Sourdough');
    await user.click(screen.getByTestId('new-brand-submit'));
    const brandRow = await screen.findByTestId('brand-row');
    expect(brandRow).toHaveTextContent('Acme Sourdough');
    expect(backend.brands.filter((b) => b.client_id === acme.id).map((b) => b.name)).toEqual(['Acme Sourdough']);
    expect(screen.queryByText('Zed Kids')).not.toBeInTheDocument();

    await user.click(within(brandRow).getByRole('button', { name: 'Rename Acme Sourdough' }));
    const renameInput = screen.getByTestId('rename-brand-name');
    await user.clear(renameInput);
    await user.type(renameInput, 'Acme Rye{Enter}');
    await waitFor(() => expect(screen.getByTestId('brand-row')).toHaveTextContent('Acme Rye'));
    expect(backend.brands.find((b) => b.client_id === acme.id)?.name).toBe('Acme Rye');

    await user.click(screen.getByRole('button', { name: 'Delete Acme Rye' }));
    await user.click(await screen.findByTestId('confirm-ok'));
    await waitFor(() => expect(screen.queryByTestId('brand-row')).not.toBeInTheDocument());
    expect(backend.brands.map((b) => b.name)).toEqual(['Zed Kids']);
  });

  it('deletes a client only after confirmation', async () => {
    const backend = mockBackend();
    backend.seedClient('Acme Bakery');
    backend.seedClient('Zed Cycles');
    const { user } = await renderOpenApp(backend);
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(2));

    await user.click(screen.getByRole('button', { name: 'Delete Acme Bakery' }));
    expect(await screen.findByTestId('confirm-dialog')).toBeInTheDocument();
    await user.click(screen.getByTestId('confirm-cancel'));
    expect(backend.clients).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Delete Acme Bakery' }));
    await user.click(await screen.findByTestId('confirm-ok'));
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(1));
    expect(screen.getByTestId('client-row')).toHaveTextContent('Zed Cycles');
    expect(backend.clients.map((c) => c.name)).toEqual(['Zed Cycles']);
  });

  it('archives a client and shows it again with "Show archived"', async () => {
    const backend = mockBackend();
    backend.seedClient('Acme Bakery');
    backend.seedClient('Zed Cycles');
    const { user } = await renderOpenApp(backend);
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(2));

    await user.click(screen.getByRole('button', { name: 'Archive Zed Cycles' }));
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(1));
    expect(backend.clients.find((c) => c.name === 'Zed Cycles')?.archived_at).not.toBeNull();

    await user.click(screen.getByTestId('show-archived'));
    expect(screen.getAllByTestId('client-row')).toHaveLength(2);
    await user.click(screen.getByRole('button', { name: 'Unarchive Zed Cycles' }));
    await waitFor(() => expect(backend.clients.find((c) => c.name === 'Zed Cycles')?.archived_at).toBeNull());
  });

  it('edits a client', async () => {
    const backend = mockBackend();
    const acme = backend.seedClient('Acme Bakery', 'UTC', '');
    const { user } = await renderOpenApp(backend);

    await user.click(await screen.findByRole('button', { name: 'Edit Acme Bakery' }));
    const name = await screen.findByTestId('edit-client-name');
    await user.clear(name);
    await user.type(name, 'Acme Bakery & Cafe');
    await user.click(screen.getByTestId('edit-client-submit'));

    await waitFor(() => expect(screen.getByTestId('client-row')).toHaveTextContent('Acme Bakery & Cafe'));
    expect(backend.calls).toContainEqual(['updateClient', acme.id, { name: 'Acme Bakery & Cafe', timezone: null, notes: null }]);
  });

  it('refreshes the list when the backend reports a change made elsewhere', async () => {
    const backend = mockBackend();
    await renderOpenApp(backend);
    await screen.findByTestId('clients-empty');

    const imported = backend.seedClient('Imported Co');
    act(() => backend.emit({ origin: 'import', changes: [{ entity: 'client', id: imported.id, kind: 'created' }] }));
    expect(await screen.findByTestId('client-row', undefined, { timeout: 3000 })).toHaveTextContent('Imported Co');
  });

  it('lists clients sorted by name', async () => {
    const backend = mockBackend();
    backend.seedClient('Zed Cycles');
    backend.seedClient('Acme Bakery');
    await renderOpenApp(backend);
    await waitFor(() => expect(rowNames()).toEqual(['Acme Bakery', 'Zed Cycles']));
  });
});
