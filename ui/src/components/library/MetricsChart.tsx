import { SegmentedControl, Stack, Text } from '@mantine/core';
import { useId, useState } from 'react';
import type { MetricPoint } from '../../backend';
import { formatConversions, formatCount, formatMoney } from '../../lib/library';

type Metric = 'spend' | 'impressions' | 'clicks' | 'conversions';

const METRICS: { value: Metric; label: string }[] = [
  { value: 'spend', label: 'Spend' },
  { value: 'impressions', label: 'Impressions' },
  { value: 'clicks', label: 'Clicks' },
  { value: 'conversions', label: 'Conversions' },
];

function valueOf(p: MetricPoint, metric: Metric): number {
  switch (metric) {
    case 'spend':
      return p.spend_micros / 1_000_000;
    case 'impressions':
      return p.impressions;
    case 'clicks':
      return p.clicks;
    case 'conversions':
      return p.conversions_micros / 1_000_000;
  }
}

function formatValue(p: MetricPoint, metric: Metric, currency: string | null): string {
  switch (metric) {
    case 'spend':
      return formatMoney(p.spend_micros, currency);
    case 'impressions':
      return formatCount(p.impressions);
    case 'clicks':
      return formatCount(p.clicks);
    case 'conversions':
      return formatConversions(p.conversions_micros);
  }
}

const WIDTH = 560;
const HEIGHT = 140;

/** Daily bars of one metric; a plain SVG (no chart library), titled for screen readers. */
export function MetricsChart({ points, currency }: { points: MetricPoint[]; currency: string | null }) {
  const [metric, setMetric] = useState<Metric>('spend');
  const titleId = useId();
  const label = METRICS.find((m) => m.value === metric)?.label ?? metric;
  const values = points.map((p) => valueOf(p, metric));
  const max = Math.max(0, ...values);
  const total = points.reduce((sum, p) => sum + valueOf(p, metric), 0);
  const barWidth = points.length > 0 ? WIDTH / points.length : WIDTH;
  const first = points[0]?.date;
  const last = points.at(-1)?.date;

  return (
    <Stack gap={6} data-testid="metrics-chart">
      <SegmentedControl size="xs" value={metric} onChange={(v) => setMetric(v as Metric)} data={METRICS} data-testid="metrics-select" />
      {points.length === 0 ? (
        <Text size="sm" c="dimmed">
          No daily metrics in the last 90 days.
        </Text>
      ) : (
        <>
          <svg
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            width="100%"
            role="img"
            aria-labelledby={titleId}
            preserveAspectRatio="none"
            style={{ display: 'block', maxHeight: HEIGHT }}
          >
            <title id={titleId}>{`${label} per day from ${first} to ${last}`}</title>
            <line x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} stroke="var(--mantine-color-default-border)" />
            {points.map((p, i) => {
              const h = max > 0 ? (valueOf(p, metric) / max) * (HEIGHT - 4) : 0;
              return (
                <rect
                  key={p.date}
                  x={i * barWidth + barWidth * 0.1}
                  y={HEIGHT - h}
                  width={Math.max(barWidth * 0.8, 0.5)}
                  height={h}
                  fill="var(--mantine-primary-color-filled)"
                >
                  <title>{`${p.date}: ${formatValue(p, metric, currency)}`}</title>
                </rect>
              );
            })}
          </svg>
          <Text size="xs" c="dimmed">
            {first} → {last} · total{' '}
            {metric === 'spend'
              ? formatMoney(Math.round(total * 1_000_000), currency)
              : metric === 'conversions'
                ? formatConversions(Math.round(total * 1_000_000))
                : formatCount(total)}
          </Text>
        </>
      )}
    </Stack>
  );
}
