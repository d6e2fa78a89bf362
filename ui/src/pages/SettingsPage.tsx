import { Alert, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useAppStatus } from '../appStatus';
import { errorMessage, useBackend, type VaultInfo } from '../backend';
import { AppCredentialsSection } from '../components/settings/AppCredentialsSection';
import { AuditLogSection } from '../components/settings/AuditLogSection';
import { BackupsKeptSection } from '../components/settings/BackupsKeptSection';
import { BackupsSection } from '../components/settings/BackupsSection';
import { DemoModeSection } from '../components/settings/DemoModeSection';
import { StartupSection } from '../components/settings/StartupSection';
import { ProvidersSection } from '../components/settings/ProvidersSection';
import { RekeySection } from '../components/settings/RekeySection';
import { UpdatesSection } from '../components/settings/UpdatesSection';
import { VaultSection } from '../components/settings/VaultSection';
import { WorkspaceSection } from '../components/settings/WorkspaceSection';

export function SettingsPage() {
  const backend = useBackend();
  const { status } = useAppStatus();
  const [info, setInfo] = useState<VaultInfo | null>(null);
  const [infoError, setInfoError] = useState<string | null>(null);

  const loadInfo = useCallback(async () => {
    try {
      setInfo(await backend.vaultInfo());
      setInfoError(null);
    } catch (e) {
      setInfoError(errorMessage(e));
    }
  }, [backend]);

  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);

  return (
    <Stack maw={960}>
      <Title order={2}>Settings</Title>
      {infoError && (
        <Alert color="red" title="Could not read the vault information">
          {infoError}
        </Alert>
      )}
      {info && <VaultSection info={info} />}
      <BackupsSection />
      {info && <RekeySection info={info} onChanged={setInfo} />}
      <BackupsKeptSection />
      <UpdatesSection />
      <WorkspaceSection />
      <AppCredentialsSection />
      <ProvidersSection />
      <StartupSection />
      <DemoModeSection />
      <AuditLogSection />
      <Text size="xs" c="dimmed">
        Switchboard {status.version} · data folder <code>{status.data_dir}</code>
      </Text>
    </Stack>
  );
}
