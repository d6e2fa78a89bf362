import { Alert, Stack, Switch, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useAppStatus } from '../../appStatus';
import { errorMessage, useBackend, type DemoStatus } from '../../backend';
import { Section } from './Section';

/** Demo mode: every platform is played by the built-in emulator, on this computer only. */
export function DemoModeSection() {
  const backend = useBackend();
  const { reloadApp } = useAppStatus();
  const [demo, setDemo] = useState<DemoStatus | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    backend.demoStatus().then(setDemo, (e) => setError(errorMessage(e)));
  }, [backend]);

  const toggle = async (enabled: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setDemo(await backend.setDemoMode(enabled));
      await reloadApp();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section
      id="demo"
      title="Demo mode"
      description="Try connections without real accounts: a built-in emulator plays every platform on this computer. Nothing is sent to the real platforms."
    >
      <Stack gap="xs">
        <Switch
          label="Demo mode"
          checked={demo?.enabled ?? false}
          disabled={busy || demo === null}
          onChange={(e) => void toggle(e.currentTarget.checked)}
          data-testid="demo-mode-switch"
        />
        {demo?.enabled && (
          <Alert color="orange" title="Demo mode is on" data-testid="demo-mode-on">
            <Text size="sm">
              Platforms point at the emulator, with demo app credentials. Turning Demo mode off removes those apps and the
              connections made with them. Available here: {demo.platforms.join(', ')}.
            </Text>
          </Alert>
        )}
        {error && (
          <Alert color="red" data-testid="demo-mode-error">
            {error}
          </Alert>
        )}
      </Stack>
    </Section>
  );
}
