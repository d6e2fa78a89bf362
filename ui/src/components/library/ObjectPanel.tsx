import { Alert, Anchor, Badge, Breadcrumbs, Divider, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { errorMessage, useBackend, type LibAsset, type LibCreative, type LibObjectDetail, type MetricPoint } from '../../backend';
import { useThrottledVaultChanged } from '../../hooks/useVaultChanged';
import { assetUrl } from '../../lib/assetUrl';
import { ExternalLink } from '../ExternalLink';
import { formatBudget, formatDates, isoDay, statusColor, words } from '../../lib/library';
import { MetricsChart } from './MetricsChart';
import { ReviewSection } from './ReviewSection';

const METRIC_DAYS = 90;

/** Everything the library holds about one campaign, ad group or ad. */
export function ObjectPanel({ clientId, objectId, onOpen }: { clientId: string; objectId: string; onOpen: (id: string) => void }) {
  const backend = useBackend();
  const [detail, setDetail] = useState<LibObjectDetail | null>(null);
  const [metrics, setMetrics] = useState<MetricPoint[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const now = new Date();
      const [d, m] = await Promise.all([
        backend.libraryObject(clientId, objectId),
        backend.libraryMetrics(clientId, objectId, isoDay(now, METRIC_DAYS - 1), isoDay(now)),
      ]);
      setDetail(d);
      setMetrics(m);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [backend, clientId, objectId]);

  useEffect(() => {
    setDetail(null);
    setMetrics(null);
    void load();
  }, [load]);
  useThrottledVaultChanged(() => void load());

  if (error && !detail)
    return (
      <Alert color="red" title="Could not open this object">
        {error}
      </Alert>
    );
  if (!detail)
    return (
      <Text size="sm" c="dimmed">
        Loading…
      </Text>
    );

  const { row } = detail;
  return (
    <Stack gap="md" data-testid="object-panel">
      <Breadcrumbs separator="›" data-testid="object-crumbs">
        <Text size="xs" c="dimmed">
          {detail.account_name}
        </Text>
        {detail.crumbs.map((c) =>
          c.id === row.id ? (
            <Text key={c.id} size="xs">
              {c.name}
            </Text>
          ) : (
            <Anchor key={c.id} size="xs" component="button" type="button" onClick={() => onOpen(c.id)}>
              {c.name}
            </Anchor>
          ),
        )}
      </Breadcrumbs>
      <Group gap="xs">
        <Title order={3} size="h4" data-testid="object-name">
          {row.name}
        </Title>
        <Badge variant="outline" color="gray">
          {row.native_level}
        </Badge>
        {row.removed_at ? (
          <Badge color="gray">removed from platform</Badge>
        ) : (
          <Badge color={statusColor(row.status)} variant="light" title={row.status_raw ?? undefined}>
            {words(row.status)}
          </Badge>
        )}
      </Group>
      <SimpleGrid cols={2} spacing="xs" verticalSpacing={6}>
        <Fact label="Objective">{row.objective ? words(row.objective) : (row.objective_raw ?? '—')}</Fact>
        <Fact label="Budget">{formatBudget(row.budget_micros, row.budget_period, row.currency)}</Fact>
        <Fact label="Dates">{formatDates(row.start_at, row.end_at)}</Fact>
        <Fact label="Optimisation">{detail.optimization_goal ? words(detail.optimization_goal) : '—'}</Fact>
        <Fact label="Platform id">{row.external_id}</Fact>
        {detail.review_status && <Fact label="Platform review">{words(detail.review_status)}</Fact>}
        {detail.children > 0 && <Fact label="Contains">{detail.children}</Fact>}
      </SimpleGrid>
      {detail.targeting_summary && <Fact label="Targeting">{detail.targeting_summary}</Fact>}
      {detail.final_url && (
        <Fact label="Final URL">
          <Text size="sm" style={{ wordBreak: 'break-all' }} data-testid="object-final-url">
            {detail.final_url}
          </Text>
        </Fact>
      )}

      {detail.creative && (
        <>
          <Divider label="Creative" labelPosition="left" />
          <CreativeView clientId={clientId} creative={detail.creative} assets={detail.assets} />
        </>
      )}
      {!detail.creative && detail.assets.length > 0 && (
        <>
          <Divider label="Images and videos" labelPosition="left" />
          <AssetList clientId={clientId} assets={detail.assets} />
        </>
      )}

      <Divider label="Last 90 days" labelPosition="left" />
      {metrics && <MetricsChart points={metrics} currency={row.currency} />}

      <Divider label="Review" labelPosition="left" />
      <ReviewSection clientId={clientId} objectId={row.id} reviews={detail.reviews} onReviewed={() => void load()} />
    </Stack>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      {typeof children === 'string' || typeof children === 'number' ? <Text size="sm">{children}</Text> : children}
    </Stack>
  );
}

function CreativeView({ clientId, creative, assets }: { clientId: string; creative: LibCreative; assets: LibAsset[] }) {
  return (
    <Stack gap="xs" data-testid="creative">
      {creative.headlines.length > 0 && (
        <Fact label={creative.headlines.length > 1 ? 'Headlines' : 'Headline'}>
          <Stack gap={2}>
            {creative.headlines.map((h, i) => (
              <Text key={i} size="sm" fw={600} data-testid="creative-headline">
                {h}
              </Text>
            ))}
          </Stack>
        </Fact>
      )}
      {creative.bodies.length > 0 && (
        <Fact label={creative.bodies.length > 1 ? 'Texts' : 'Text'}>
          <Stack gap={2}>
            {creative.bodies.map((b, i) => (
              <Text key={i} size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="creative-body">
                {b}
              </Text>
            ))}
          </Stack>
        </Fact>
      )}
      <SimpleGrid cols={2} spacing="xs">
        <Fact label="Call to action">{creative.cta ? words(creative.cta) : '—'}</Fact>
        <Fact label="Format">{words(creative.format)}</Fact>
      </SimpleGrid>
      {creative.landing_url && (
        <Fact label="Landing page">
          <Text size="sm" style={{ wordBreak: 'break-all' }} data-testid="creative-landing-url">
            {creative.landing_url}
          </Text>
        </Fact>
      )}
      {creative.url_tags && <Fact label="URL parameters">{creative.url_tags}</Fact>}
      <AssetList clientId={clientId} assets={assets} />
    </Stack>
  );
}

function AssetList({ clientId, assets }: { clientId: string; assets: LibAsset[] }) {
  // Video posters are shown on their video, not on their own.
  const posters = new Set(assets.map((a) => a.poster_id).filter(Boolean));
  const shown = assets.filter((a) => !posters.has(a.id));
  if (shown.length === 0) return null;
  return (
    <SimpleGrid cols={2} spacing="xs" data-testid="creative-assets">
      {shown.map((a) => (
        <AssetView key={a.id} clientId={clientId} asset={a} />
      ))}
    </SimpleGrid>
  );
}

function AssetView({ clientId, asset }: { clientId: string; asset: LibAsset }) {
  const caption = (
    <Text size="xs" c="dimmed" truncate title={asset.name}>
      {words(asset.role)} · {asset.name}
      {asset.width && asset.height ? ` · ${asset.width}×${asset.height}` : ''}
    </Text>
  );
  if (asset.kind === 'youtube')
    return (
      <Stack gap={2}>
        <Text size="sm" data-testid="creative-youtube">
          YouTube video:{' '}
          <ExternalLink href={`https://www.youtube.com/watch?v=${encodeURIComponent(asset.platform_key)}`} size="sm">
            {`youtube.com/watch?v=${asset.platform_key}`}
          </ExternalLink>
        </Text>
        {caption}
      </Stack>
    );
  if (asset.status !== 'done')
    return (
      <Stack gap={2} data-testid="creative-asset-missing">
        <Text size="sm" c={asset.error ? 'red' : 'dimmed'}>
          {asset.error ?? `Not saved yet (${words(asset.status)})`}
        </Text>
        {caption}
      </Stack>
    );
  if (asset.kind === 'video')
    return (
      <Stack gap={2}>
        <video
          controls
          preload="metadata"
          src={assetUrl(clientId, asset.id, false)}
          poster={asset.poster_id ? assetUrl(clientId, asset.poster_id, true) : undefined}
          style={{ width: '100%', borderRadius: 4 }}
          data-testid="creative-video"
        />
        {caption}
      </Stack>
    );
  return (
    <Stack gap={2}>
      <img
        data-testid="creative-image"
        src={assetUrl(clientId, asset.id, false)}
        alt={asset.name}
        style={{ width: '100%', borderRadius: 4, display: 'block' }}
      />
      {caption}
    </Stack>
  );
}
