import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assetUrl } from '../lib/assetUrl';
import { snippetParts } from '../lib/library';
import { libAccountFixture, libAssetFixture, libCreativeFixture, libRowFixture } from './fixtures';
import type { MockBackend } from './mockBackend';
import { mockBackend, renderOpenApp } from './render';

// jsdom lays nothing out: give every scroll container a viewport so the virtualizer renders rows.
beforeEach(() => {
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1200);
});
afterEach(() => vi.restoreAllMocks());

function setup() {
  const backend = mockBackend();
  const client = backend.seedClient('Acme Bakery');
  backend.settings.current_client = client.id;
  backend.libAccounts = [
    libAccountFixture({ id: 'acc-1', name: 'Acme Ads', platform: 'meta', campaigns: 2, ad_groups: 1, ads: 1, auto_sync_hours: 24 }),
    libAccountFixture({ id: 'acc-2', name: 'Acme Search', platform: 'google_ads', external_id: '123-456-7890' }),
  ];
  backend.libRows = [
    libRowFixture({ id: 'c-1', name: 'Spring sale', spend_micros: 12_500_000, impressions: 1000, budget_micros: 50_000_000, budget_period: 'daily' }),
    libRowFixture({ id: 'c-2', name: 'Old campaign', removed_at: '2025-01-02T00:00:00Z' }),
    libRowFixture({ id: 'g-1', level: 'ad_group', native_level: 'ad set', parent_id: 'c-1', name: 'Bakers 25-45' }),
    libRowFixture({ id: 'ad-1', level: 'ad', native_level: 'ad', parent_id: 'g-1', name: 'Croissant ad', thumb_asset_id: 'asset-9' }),
  ];
  return { backend, client };
}

async function openLibrary(backend: MockBackend) {
  const result = await renderOpenApp(backend);
  await result.user.click(screen.getByTestId('nav-library'));
  await screen.findByTestId('library-accounts');
  return result;
}

describe('assetUrl', () => {
  it('uses sbasset://localhost, or http://sbasset.localhost on Windows, with ?thumb=1 for thumbnails', () => {
    expect(assetUrl('c-1', 'a-2', false)).toBe('sbasset://localhost/c-1/a-2');
    expect(assetUrl('c-1', 'a-2', true)).toBe('sbasset://localhost/c-1/a-2?thumb=1');
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue('Mozilla/5.0 (Windows NT 10.0; Win64; x64)');
    expect(assetUrl('c-1', 'a-2', true)).toBe('http://sbasset.localhost/c-1/a-2?thumb=1');
  });

  it('splits a snippet into plain and marked parts', () => {
    expect(snippetParts('fresh [croissants] daily')).toEqual([
      { text: 'fresh ', match: false },
      { text: 'croissants', match: true },
      { text: ' daily', match: false },
    ]);
  });
});

describe('library page', () => {
  it('lists the accounts by platform and the campaigns with money, badges and removal', async () => {
    const { backend, client } = setup();
    const { user } = await openLibrary(backend);

    const accounts = screen.getByTestId('library-accounts');
    expect(within(accounts).getByText('Acme Ads')).toBeInTheDocument();
    expect(within(accounts).getByText('Acme Search')).toBeInTheDocument();
    expect(within(accounts).getByText('Google Ads')).toBeInTheDocument();
    expect(screen.getByTestId('library-autosync-acc-1')).toHaveValue('24');

    const rows = await screen.findAllByTestId('library-row');
    // Removed objects are hidden until "Show removed" is on.
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('Spring sale');
    expect(rows[0]).toHaveTextContent('€12.50');
    expect(rows[0]).toHaveTextContent('€50.00 daily');

    await user.click(screen.getByTestId('library-filter-removed'));
    await waitFor(() => expect(screen.getAllByTestId('library-row')).toHaveLength(2));
    const removed = screen.getAllByTestId('library-row').find((r) => r.textContent?.includes('Old campaign'));
    expect(removed).toHaveTextContent('removed from platform');
    expect(removed).toHaveAttribute('data-removed', 'true');

    // Auto-sync goes to the backend.
    await user.selectOptions(screen.getByTestId('library-autosync-acc-2'), '6');
    expect(backend.calls).toContainEqual(['librarySetAutoSync', client.id, 'acc-2', 6]);
  });

  it('drills down from campaign to ad set to ad, showing the native level and the ad thumbnail', async () => {
    const { backend, client } = setup();
    const { user } = await openLibrary(backend);

    await user.click(await screen.findByText('Spring sale'));
    await waitFor(() => expect(screen.getAllByTestId('library-row')[0]).toHaveTextContent('Bakers 25-45'));
    expect(screen.getAllByTestId('library-row')[0]).toHaveTextContent('ad set');
    expect(screen.getByTestId('library-breadcrumbs')).toHaveTextContent('Spring sale');
    const last = backend.calls.filter((c) => c[0] === 'libraryObjects').at(-1)?.[2];
    expect(last).toMatchObject({ level: 'ad_group', parent_id: 'c-1', offset: 0, limit: 200 });

    await user.click(screen.getByText('Bakers 25-45'));
    await waitFor(() => expect(screen.getAllByTestId('library-row')[0]).toHaveTextContent('Croissant ad'));
    const img = screen.getAllByTestId('library-row')[0].querySelector('img');
    expect(img).toHaveAttribute('src', `sbasset://localhost/${client.id}/asset-9?thumb=1`);
  });

  it('sorts by a clicked header, largest spend first, then flips', async () => {
    const { backend } = setup();
    const { user } = await openLibrary(backend);
    await screen.findAllByTestId('library-row');
    await user.click(screen.getByTestId('library-sort-spend'));
    await waitFor(() => expect(backend.calls.filter((c) => c[0] === 'libraryObjects').at(-1)?.[2]).toMatchObject({ sort: 'spend', desc: true }));
    await user.click(screen.getByTestId('library-sort-spend'));
    await waitFor(() => expect(backend.calls.filter((c) => c[0] === 'libraryObjects').at(-1)?.[2]).toMatchObject({ sort: 'spend', desc: false }));
  });

  it('keeps only a bounded number of rows in the DOM for 100,000 campaigns and fetches pages of 200', async () => {
    const { backend } = setup();
    backend.libRows = Array.from({ length: 100_000 }, (_, i) => libRowFixture({ id: `c-${i}`, name: `Campaign ${i}` }));
    await openLibrary(backend);
    await waitFor(() => expect(screen.getAllByTestId('library-row')[0]).toHaveTextContent('Campaign 0'));
    expect(screen.getByTestId('library-total')).toHaveTextContent('100,000 campaigns');
    const rendered = screen.getAllByTestId('library-row').length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(100);
    const fetches = backend.calls.filter((c) => c[0] === 'libraryObjects').map((c) => c[2] as { offset: number; limit: number });
    expect(fetches.every((f) => f.limit === 200)).toBe(true);
    expect(fetches.length).toBeLessThan(5);
  });

  it('searches (debounced), highlights the match and opens the hit', async () => {
    const { backend, client } = setup();
    backend.searchIndex = [{ id: 'ad-1', kind: 'ad', name: 'Croissant ad', platform: 'meta', snippet: 'Fresh [croissants] every morning' }];
    const { user } = await openLibrary(backend);

    await user.type(screen.getByTestId('library-search-input'), 'croissants');
    const hit = await screen.findByTestId('library-search-hit');
    expect(hit.querySelector('mark')).toHaveTextContent('croissants');
    expect(hit).toHaveTextContent('Fresh croissants every morning');
    // Debounced: one search for the whole word, not one per keystroke.
    expect(backend.calls.filter((c) => c[0] === 'librarySearch')).toEqual([['librarySearch', client.id, 'croissants', 20]]);

    await user.click(hit);
    expect(await screen.findByTestId('object-name')).toHaveTextContent('Croissant ad');
    expect(backend.calls).toContainEqual(['libraryObject', client.id, 'ad-1']);
  });

  it('shows an ad with its creative copy, images from sbasset:, a video, a failed asset, and metrics', async () => {
    const { backend, client } = setup();
    backend.libDetails.set('ad-1', {
      final_url: 'https://acme.example/croissants',
      creative: libCreativeFixture({
        headlines: ['Warm croissants'],
        bodies: ['Baked at 6 every morning.'],
        cta: 'shop_now',
        landing_url: 'https://acme.example/shop',
      }),
      assets: [
        libAssetFixture({ id: 'img-1' }),
        libAssetFixture({ id: 'img-2', status: 'failed', error: 'HTTP 404 from the CDN' }),
        libAssetFixture({ id: 'vid-1', kind: 'video', poster_id: 'poster-1' }),
        libAssetFixture({ id: 'poster-1', role: 'thumbnail' }),
        libAssetFixture({ id: 'yt-1', kind: 'youtube', platform_key: 'dQw4w9WgXcQ' }),
      ],
    });
    const today = new Date().toISOString().slice(0, 10);
    backend.metrics.set('ad-1', [{ date: today, impressions: 500, clicks: 20, spend_micros: 3_000_000, conversions_micros: 2_000_000 }]);
    const { user } = await openLibrary(backend);

    await user.click(await screen.findByText('Spring sale'));
    await user.click(await screen.findByText('Bakers 25-45'));
    await user.click(await screen.findByText('Croissant ad'));

    const panel = await screen.findByTestId('object-panel');
    expect(within(panel).getByTestId('creative-headline')).toHaveTextContent('Warm croissants');
    expect(within(panel).getByTestId('creative-body')).toHaveTextContent('Baked at 6 every morning.');
    expect(panel).toHaveTextContent('shop now');
    expect(within(panel).getByTestId('creative-landing-url')).toHaveTextContent('https://acme.example/shop');
    expect(within(panel).getByTestId('object-final-url')).toHaveTextContent('https://acme.example/croissants');

    const images = within(panel).getAllByTestId('creative-image');
    expect(images.map((i) => i.getAttribute('src'))).toEqual([assetUrl(client.id, 'img-1', false)]);
    expect(within(panel).getByTestId('creative-asset-missing')).toHaveTextContent('HTTP 404 from the CDN');
    const video = within(panel).getByTestId('creative-video');
    expect(video).toHaveAttribute('src', `sbasset://localhost/${client.id}/vid-1`);
    expect(video).toHaveAttribute('poster', `sbasset://localhost/${client.id}/poster-1?thumb=1`);
    expect(within(panel).getByTestId('creative-youtube')).toHaveTextContent('youtube.com/watch?v=dQw4w9WgXcQ');
    expect(panel.querySelector('iframe')).toBeNull();

    const chart = within(panel).getByTestId('metrics-chart');
    expect(chart.querySelector('svg title')).toHaveTextContent(`Spend per day from ${today} to ${today}`);
    expect(chart).toHaveTextContent('€3.00');
    const metricsCall = backend.calls.find((c) => c[0] === 'libraryMetrics');
    expect(metricsCall?.[4]).toBe(today);
  });

  it('records review marks with the note and lists them', async () => {
    const { backend, client } = setup();
    const { user } = await openLibrary(backend);
    await user.click(await screen.findByTestId('library-row-details'));
    const panel = await screen.findByTestId('object-panel');

    await user.type(within(panel).getByTestId('review-note'), 'Swap the hero image');
    await user.click(within(panel).getByTestId('review-needs-changes'));
    expect(backend.calls).toContainEqual(['libraryReview', client.id, 'c-1', 'needs_changes', 'Swap the hero image']);
    const mark = await within(panel).findByTestId('review-mark');
    expect(mark).toHaveTextContent('Needs changes');
    expect(mark).toHaveTextContent('Swap the hero image');
    expect(within(panel).getByTestId('review-note')).toHaveValue('');

    // A comment needs words.
    await user.click(within(panel).getByTestId('review-comment'));
    expect(within(panel).getByText('Write the comment first.')).toBeInTheDocument();
    expect(backend.calls.filter((c) => c[0] === 'libraryReview')).toHaveLength(1);
  });

  it('imports the chosen connection and ad account, and shows why a start failed', async () => {
    const { backend, client } = setup();
    const meta = backend.seedConnection({ client_id: client.id, platform: 'meta', account_name: 'Acme on Meta' });
    const google = backend.seedConnection({ client_id: client.id, platform: 'google_ads', account_name: 'Acme on Google' });
    backend.seedAccount(meta.id, 'act_1', 'Meta account');
    backend.seedAccount(google.id, '111-222-3333', 'Search account');
    backend.seedAccount(google.id, '444-555-6666', 'Shopping account');
    const { user } = await openLibrary(backend);

    await user.click(screen.getByTestId('library-import-button'));
    await user.selectOptions(await screen.findByTestId('import-connection-select'), google.id);
    await waitFor(() => expect(screen.getByTestId('import-account-select')).toHaveValue('111-222-3333'));
    await user.selectOptions(screen.getByTestId('import-account-select'), '444-555-6666');
    await user.click(screen.getByTestId('import-scope-campaigns'));
    await user.type(screen.getByTestId('import-campaigns'), '12, 34 ,');
    await user.selectOptions(screen.getByTestId('import-days'), '28');

    backend.importFailure = { code: 'import_running', message: 'An import of this account is already running.' };
    await user.click(screen.getByTestId('import-submit'));
    expect(await screen.findByTestId('import-error')).toHaveTextContent('An import of this account is already running.');

    backend.importFailure = null;
    await user.click(screen.getByTestId('import-submit'));
    await waitFor(() => expect(screen.queryByTestId('import-submit')).not.toBeInTheDocument());
    expect(backend.calls.filter((c) => c[0] === 'startImport').at(-1)).toEqual([
      'startImport',
      { client_id: client.id, connection_id: google.id, account: '444-555-6666', campaigns: ['12', '34'], metrics_days: 28 },
    ]);
  });
});
