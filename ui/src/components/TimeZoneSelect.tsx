import { Select } from '@mantine/core';
import { useMemo } from 'react';
import { timeZones } from '../lib/timezones';

type Props = {
  value: string;
  onChange: (zone: string) => void;
  label?: string;
  testId?: string;
};

/** Searchable IANA time zone picker. */
export function TimeZoneSelect({ value, onChange, label = 'Time zone', testId }: Props) {
  const data = useMemo(() => timeZones(), []);
  return (
    <Select
      label={label}
      data={data}
      value={value}
      onChange={(zone) => zone && onChange(zone)}
      searchable
      allowDeselect={false}
      limit={100}
      nothingFoundMessage="No matching time zone"
      data-testid={testId}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
