import { ActionIcon, Badge, Box, Group, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconChevronUp, IconInfoCircle, IconPhoto } from '@tabler/icons-react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type ReactNode } from 'react';
import type { LibRow } from '../../backend';
import { assetUrl } from '../../lib/assetUrl';
import {
  formatBudget,
  formatConversions,
  formatCount,
  formatDates,
  formatMoney,
  reviewLook,
  statusColor,
  words,
  type SortKey,
} from '../../lib/library';

/** Fixed: the virtualizer computes positions without measuring rows. */
export const ROW_HEIGHT = 52;
const COLUMNS = '56px minmax(220px, 2fr) 150px 120px 150px 190px 110px 110px 90px 100px 120px 44px';

type Column = { title: string; sort?: SortKey; align?: 'right' };

const HEADERS: Column[] = [
  { title: '' },
  { title: 'Name', sort: 'name' },
  { title: 'Status', sort: 'status' },
  { title: 'Objective' },
  { title: 'Budget' },
  { title: 'Dates', sort: 'start' },
  { title: 'Spend', sort: 'spend', align: 'right' },
  { title: 'Impressions', sort: 'impressions', align: 'right' },
  { title: 'Clicks', sort: 'clicks', align: 'right' },
  { title: 'Conversions', sort: 'conversions', align: 'right' },
  { title: 'Review' },
  { title: '' },
];

type Props = {
  clientId: string;
  total: number;
  rowAt: (index: number) => LibRow | undefined;
  ensureRange: (first: number, last: number) => void;
  /** Bumped whenever rows arrive, so the visible range is checked again. */
  version: number;
  sort: SortKey | null;
  desc: boolean;
  onSort: (key: SortKey) => void;
  /** A row was chosen (drill into a campaign or ad group, open an ad). */
  onOpen: (row: LibRow) => void;
  /** The details of any row. */
  onDetails: (row: LibRow) => void;
  height: number | string;
};

/** Campaigns, ad groups or ads; only the rows in view (plus a few) are in the DOM. */
export function ObjectTable({ clientId, total, rowAt, ensureRange, version, sort, desc, onSort, onOpen, onDetails, height }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (total > 0) ensureRange(first, last);
  }, [first, last, total, version, ensureRange]);

  return (
    <Box
      ref={scroller}
      role="table"
      aria-label="Library objects"
      aria-rowcount={total + 1}
      data-testid="library-table"
      style={{ height, overflow: 'auto', border: '1px solid var(--mantine-color-default-border)', borderRadius: 'var(--mantine-radius-sm)' }}
    >
      <Box role="rowgroup" style={{ position: 'sticky', top: 0, zIndex: 1, background: 'var(--mantine-color-body)', minWidth: 'max-content' }}>
        <Box
          role="row"
          style={{ display: 'grid', gridTemplateColumns: COLUMNS, borderBottom: '1px solid var(--mantine-color-default-border)' }}
        >
          {HEADERS.map((h, i) => (
            <HeaderCell key={i} column={h} active={h.sort !== undefined && h.sort === sort} desc={desc} onSort={onSort} />
          ))}
        </Box>
      </Box>
      <Box role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth: 'max-content' }}>
        {items.map((item) => {
          const row = rowAt(item.index);
          return (
            <Box
              key={item.key}
              role="row"
              aria-rowindex={item.index + 2}
              data-testid="library-row"
              data-removed={row?.removed_at ? 'true' : undefined}
              onClick={row ? () => onOpen(row) : undefined}
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                width: '100%',
                height: ROW_HEIGHT,
                transform: `translateY(${item.start}px)`,
                display: 'grid',
                gridTemplateColumns: COLUMNS,
                alignItems: 'center',
                cursor: row ? 'pointer' : undefined,
                opacity: row?.removed_at ? 0.55 : 1,
                borderBottom: '1px solid var(--mantine-color-default-border)',
              }}
            >
              {row ? <RowCells clientId={clientId} row={row} onDetails={onDetails} /> : <LoadingCells />}
            </Box>
          );
        })}
      </Box>
    </Box>
  );
}

function HeaderCell({ column, active, desc, onSort }: { column: Column; active: boolean; desc: boolean; onSort: (key: SortKey) => void }) {
  const sortKey = column.sort;
  const label = (
    <Text size="xs" fw={700} c={active ? undefined : 'dimmed'} ta={column.align}>
      {column.title}
    </Text>
  );
  return (
    <Box role="columnheader" aria-sort={active ? (desc ? 'descending' : 'ascending') : undefined} px="xs" py={8}>
      {sortKey ? (
        <UnstyledButton onClick={() => onSort(sortKey)} data-testid={`library-sort-${sortKey}`} w="100%">
          <Group gap={2} wrap="nowrap" justify={column.align === 'right' ? 'flex-end' : 'flex-start'}>
            {label}
            {active && (desc ? <IconChevronDown size={12} /> : <IconChevronUp size={12} />)}
          </Group>
        </UnstyledButton>
      ) : (
        label
      )}
    </Box>
  );
}

function Cell({ children, align }: { children: ReactNode; align?: 'right' }) {
  return (
    <Box role="cell" px="xs" style={{ overflow: 'hidden', whiteSpace: 'nowrap', textOverflow: 'ellipsis', textAlign: align }}>
      {children}
    </Box>
  );
}

function RowCells({ clientId, row, onDetails }: { clientId: string; row: LibRow; onDetails: (row: LibRow) => void }) {
  const removed = row.removed_at !== null;
  return (
    <>
      <Cell>
        {row.thumb_asset_id ? (
          <img
            src={assetUrl(clientId, row.thumb_asset_id, true)}
            alt=""
            width={40}
            height={40}
            loading="lazy"
            style={{ objectFit: 'cover', borderRadius: 4, display: 'block' }}
          />
        ) : row.level === 'ad' ? (
          <IconPhoto size={20} color="var(--mantine-color-dimmed)" aria-hidden />
        ) : null}
      </Cell>
      <Cell>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" fw={500} truncate title={row.name}>
            {row.name}
          </Text>
          <Badge size="xs" variant="outline" color="gray" style={{ flexShrink: 0 }}>
            {row.native_level}
          </Badge>
        </Group>
      </Cell>
      <Cell>
        {removed ? (
          <Badge size="sm" color="gray" variant="light" title={`Removed ${row.removed_at}`}>
            removed from platform
          </Badge>
        ) : (
          <Badge size="sm" color={statusColor(row.status)} variant="light" title={row.status_raw ?? undefined}>
            {words(row.status)}
          </Badge>
        )}
      </Cell>
      <Cell>
        <Text size="sm" title={row.objective_raw ?? undefined}>
          {row.objective ? words(row.objective) : '—'}
        </Text>
      </Cell>
      <Cell>
        <Text size="sm">{formatBudget(row.budget_micros, row.budget_period, row.currency)}</Text>
      </Cell>
      <Cell>
        <Text size="sm">{formatDates(row.start_at, row.end_at)}</Text>
      </Cell>
      <Cell align="right">
        <Text size="sm">{formatMoney(row.spend_micros, row.currency)}</Text>
      </Cell>
      <Cell align="right">
        <Text size="sm">{formatCount(row.impressions)}</Text>
      </Cell>
      <Cell align="right">
        <Text size="sm">{formatCount(row.clicks)}</Text>
      </Cell>
      <Cell align="right">
        <Text size="sm">{formatConversions(row.conversions_micros)}</Text>
      </Cell>
      <Cell>
        {row.review_mark ? (
          <Badge size="sm" variant="dot" color={reviewLook(row.review_mark).color}>
            {reviewLook(row.review_mark).label}
          </Badge>
        ) : null}
      </Cell>
      <Cell>
        <Tooltip label="Details">
          <ActionIcon
            variant="subtle"
            aria-label={`Details of ${row.name}`}
            data-testid="library-row-details"
            onClick={(e) => {
              e.stopPropagation();
              onDetails(row);
            }}
          >
            <IconInfoCircle size={18} />
          </ActionIcon>
        </Tooltip>
      </Cell>
    </>
  );
}

function LoadingCells() {
  return (
    <>
      <Cell>{null}</Cell>
      <Cell>
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      </Cell>
    </>
  );
}
