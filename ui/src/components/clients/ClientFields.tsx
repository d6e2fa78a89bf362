import { Group, TextInput, Textarea } from '@mantine/core';
import { TimeZoneSelect } from '../TimeZoneSelect';

export type ClientDraft = { name: string; timezone: string; notes: string };

type Props = {
  value: ClientDraft;
  onChange: (value: ClientDraft) => void;
  error: string | null;
  /** The name and time zone inputs get `${testIdPrefix}-name` and `${testIdPrefix}-timezone`. */
  testIdPrefix: string;
  /** Name and time zone side by side, smaller notes. */
  compact?: boolean;
};

/** Name, time zone and notes of a client. */
export function ClientFields({ value, onChange, error, testIdPrefix, compact = false }: Props) {
  const set = (patch: Partial<ClientDraft>) => onChange({ ...value, ...patch });
  const nameAndZone = (
    <>
      <TextInput label="Name" required value={value.name} onChange={(e) => set({ name: e.currentTarget.value })} error={error} data-testid={`${testIdPrefix}-name`} />
      <TimeZoneSelect value={value.timezone} onChange={(timezone) => set({ timezone })} testId={`${testIdPrefix}-timezone`} />
    </>
  );
  return (
    <>
      {compact ? (
        <Group align="flex-start" grow wrap="wrap">
          {nameAndZone}
        </Group>
      ) : (
        nameAndZone
      )}
      <Textarea
        label="Notes"
        autosize
        minRows={compact ? 1 : 2}
        maxRows={compact ? 4 : 6}
        value={value.notes}
        onChange={(e) => set({ notes: e.currentTarget.value })}
      />
    </>
  );
}
