import { Button, Group, NumberInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useAppData } from '../../appData';
import { errorMessage, useBackend } from '../../backend';
import { notifySuccess } from '../../lib/notify';
import { Section } from './Section';

export function BackupsKeptSection() {
  const backend = useBackend();
  const { settings, setSettings } = useAppData();
  const [value, setValue] = useState<number | string>(settings?.backups_kept ?? 10);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const saved = settings?.backups_kept;
  useEffect(() => {
    if (saved !== undefined) setValue(saved);
  }, [saved]);

  const save = async () => {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 100) {
      setError('Enter a whole number from 1 to 100.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setSettings(await backend.setSetting('backup.keep', String(n)));
      notifySuccess(`Switchboard will keep the ${n} newest backups.`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section id="backups-kept" title="Backups kept" description="Older automatic backups beyond this number are deleted.">
      <Group align="flex-end">
        <NumberInput
          label="Number of backups to keep"
          min={1}
          max={100}
          allowDecimal={false}
          allowNegative={false}
          clampBehavior="strict"
          value={value}
          onChange={setValue}
          error={error}
          w={220}
          data-testid="backups-kept"
        />
        <Button onClick={save} loading={busy} disabled={value === saved} data-testid="backups-kept-save">
          Save
        </Button>
      </Group>
    </Section>
  );
}
