import { Alert, Stack, Switch, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { errorMessage, useBackend } from '../../backend';
import { Section } from './Section';

/** Start at login: Switchboard opens in the tray so scheduled posts go out without the window. */
export function StartupSection() {
  const backend = useBackend();
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    backend.autostartStatus().then(setEnabled, (e) => setError(errorMessage(e)));
  }, [backend]);

  const toggle = async (on: boolean) => {
    setError(null);
    try {
      setEnabled(await backend.setAutostart(on));
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <Section
      id="startup"
      title="Start at login"
      description="Scheduled posts go out only while Switchboard runs. Closing the window keeps it running in the tray; starting at login keeps it running after a restart too."
    >
      <Stack gap="xs">
        <Switch
          label="Start Switchboard in the tray when I log in"
          checked={enabled ?? false}
          disabled={enabled === null}
          onChange={(e) => void toggle(e.currentTarget.checked)}
          data-testid="autostart-switch"
        />
        {enabled === false && (
          <Text size="xs" c="dimmed">
            Off: posts due while Switchboard is not running are published when it next starts (if still within two hours
            of their time), or marked missed.
          </Text>
        )}
        {error && (
          <Alert color="red" data-testid="autostart-error">
            {error}
          </Alert>
        )}
      </Stack>
    </Section>
  );
}
