import { ActionIcon, Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage, useBackend, type QueueSlot } from '../../backend';
import { minuteToTime, timeToMinute, weekdayName } from '../../lib/calendar';
import { notifyError, notifySuccess } from '../../lib/notify';

type Row = { weekday: number; time: string };

const WEEKDAYS = Array.from({ length: 7 }, (_, i) => ({ value: String(i), label: weekdayName(i, undefined, 'long') }));

const rowsOf = (slots: QueueSlot[]): Row[] => slots.map((s) => ({ weekday: s.weekday, time: minuteToTime(s.minute) }));

/** The client's usual posting times ("Add to queue" takes the next free one), in its zone. */
export function QueueSlotsEditor({ clientId, zone }: { clientId: string; zone: string }) {
  const backend = useBackend();
  const [saved, setSaved] = useState<Row[] | null>(null);
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    try {
      const slots = rowsOf(await backend.getQueueSlots(clientId));
      setSaved(slots);
      setRows(slots);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [backend, clientId]);

  useEffect(() => {
    void load();
  }, [load]);

  const invalid = rows.some((r) => timeToMinute(r.time) === null);
  const dirty = saved !== null && JSON.stringify(rows) !== JSON.stringify(saved);

  const save = async () => {
    setSaving(true);
    try {
      const slots = rows.map((r) => ({ weekday: r.weekday, minute: timeToMinute(r.time) as number }));
      await backend.setQueueSlots(clientId, slots);
      notifySuccess('Queue times saved.');
      await load();
    } catch (e) {
      notifyError('Could not save the queue times', e);
    } finally {
      setSaving(false);
    }
  };

  const change = (i: number, patch: Partial<Row>) => setRows((list) => list.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  if (error)
    return (
      <Text size="sm" c="red">
        {error}
      </Text>
    );
  if (saved === null)
    return (
      <Text size="sm" c="dimmed">
        Loading…
      </Text>
    );
  return (
    <Stack gap="xs" data-testid="queue-slots">
      <Text size="xs" c="dimmed">
        Times in {zone}. “Add to queue” in Compose takes the next of these times that no other post of this client uses.
      </Text>
      {rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No queue times yet.
        </Text>
      )}
      {rows.map((r, i) => (
        <Group key={i} gap="xs" wrap="nowrap" data-testid="queue-slot-row">
          <NativeSelect
            aria-label="Weekday"
            data={WEEKDAYS}
            value={String(r.weekday)}
            onChange={(e) => change(i, { weekday: Number(e.currentTarget.value) })}
            data-testid="queue-slot-weekday"
          />
          <TextInput
            type="time"
            aria-label="Time"
            value={r.time}
            onChange={(e) => change(i, { time: e.currentTarget.value })}
            error={timeToMinute(r.time) === null}
            data-testid="queue-slot-time"
            w={120}
          />
          <ActionIcon variant="subtle" color="red" aria-label="Remove this time" onClick={() => setRows((list) => list.filter((_, j) => j !== i))} data-testid="queue-slot-remove">
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Group gap="xs">
        <Button
          size="xs"
          variant="default"
          leftSection={<IconPlus size={14} />}
          onClick={() => setRows((list) => [...list, { weekday: list.at(-1)?.weekday ?? 0, time: list.at(-1)?.time ?? '09:00' }])}
          data-testid="queue-slot-add"
        >
          Add a time
        </Button>
        <Button size="xs" onClick={() => void save()} loading={saving} disabled={!dirty || invalid} data-testid="queue-slots-save">
          Save queue times
        </Button>
        {dirty && (
          <Button size="xs" variant="subtle" onClick={() => setRows(saved)} disabled={saving}>
            Undo changes
          </Button>
        )}
      </Group>
    </Stack>
  );
}
