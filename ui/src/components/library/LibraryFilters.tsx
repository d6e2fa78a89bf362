import { Button, Checkbox, Group, MultiSelect, NativeSelect, TextInput } from '@mantine/core';
import { DATE_PATTERN, words } from '../../lib/library';

export type Filters = {
  platform: string;
  statuses: string[];
  objectives: string[];
  dateFrom: string;
  dateTo: string;
  /** Currency units as typed. */
  minSpend: string;
  maxSpend: string;
  includeRemoved: boolean;
};

export const NO_FILTERS: Filters = {
  platform: '',
  statuses: [],
  objectives: [],
  dateFrom: '',
  dateTo: '',
  minSpend: '',
  maxSpend: '',
  includeRemoved: false,
};

type Props = {
  filters: Filters;
  onChange: (filters: Filters) => void;
  platforms: { value: string; label: string }[];
  statuses: string[];
  objectives: string[];
};

const options = (values: string[]) => values.map((v) => ({ value: v, label: words(v) }));

/** A date field shows its error only once something complete-looking was typed. */
const dateError = (value: string) => (value && !DATE_PATTERN.test(value) ? 'Use YYYY-MM-DD' : undefined);
const numberError = (value: string) => (value && !Number.isFinite(Number(value)) ? 'Not a number' : undefined);

export function LibraryFilters({ filters, onChange, platforms, statuses, objectives }: Props) {
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => onChange({ ...filters, [key]: value });
  const active = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);
  return (
    <Group gap="xs" align="flex-end" data-testid="library-filters">
      <NativeSelect
        size="xs"
        label="Platform"
        value={filters.platform}
        onChange={(e) => set('platform', e.currentTarget.value)}
        data={[{ value: '', label: 'All platforms' }, ...platforms]}
        data-testid="library-filter-platform"
      />
      <MultiSelect
        size="xs"
        label="Status"
        placeholder={filters.statuses.length ? undefined : 'Any'}
        value={filters.statuses}
        onChange={(v) => set('statuses', v)}
        data={options(statuses)}
        clearable
        w={180}
        data-testid="library-filter-status"
      />
      <MultiSelect
        size="xs"
        label="Objective"
        placeholder={filters.objectives.length ? undefined : 'Any'}
        value={filters.objectives}
        onChange={(v) => set('objectives', v)}
        data={options(objectives)}
        clearable
        searchable
        w={200}
        data-testid="library-filter-objective"
      />
      <TextInput
        size="xs"
        label="Running from"
        type="date"
        placeholder="YYYY-MM-DD"
        value={filters.dateFrom}
        onChange={(e) => set('dateFrom', e.currentTarget.value)}
        error={dateError(filters.dateFrom)}
        w={140}
        data-testid="library-filter-from"
      />
      <TextInput
        size="xs"
        label="to"
        type="date"
        placeholder="YYYY-MM-DD"
        value={filters.dateTo}
        onChange={(e) => set('dateTo', e.currentTarget.value)}
        error={dateError(filters.dateTo)}
        w={140}
        data-testid="library-filter-to"
      />
      <TextInput
        size="xs"
        label="Spend from"
        inputMode="decimal"
        value={filters.minSpend}
        onChange={(e) => set('minSpend', e.currentTarget.value)}
        error={numberError(filters.minSpend)}
        w={100}
        data-testid="library-filter-min-spend"
      />
      <TextInput
        size="xs"
        label="to"
        inputMode="decimal"
        value={filters.maxSpend}
        onChange={(e) => set('maxSpend', e.currentTarget.value)}
        error={numberError(filters.maxSpend)}
        w={100}
        data-testid="library-filter-max-spend"
      />
      <Checkbox
        size="xs"
        label="Show removed"
        checked={filters.includeRemoved}
        onChange={(e) => set('includeRemoved', e.currentTarget.checked)}
        mb={6}
        data-testid="library-filter-removed"
      />
      {active && (
        <Button size="xs" variant="subtle" onClick={() => onChange(NO_FILTERS)}>
          Clear filters
        </Button>
      )}
    </Group>
  );
}
