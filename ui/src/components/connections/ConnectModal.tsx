import { Alert, Button, Checkbox, Group, Modal, NativeSelect, Stack, Text } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import type { AppCredentialInfo, Brand, PlatformInfo } from '../../backend';
import { capabilityLabel, redirectLabel } from '../../lib/connections';

export type ConnectChoice = { appId: string | null; brandId: string | null; capabilities: string[]; redirect: string | null };

type Props = {
  /** The platform to connect; null keeps the dialog closed. */
  platform: PlatformInfo | null;
  clientName: string;
  apps: AppCredentialInfo[];
  brands: Brand[];
  onClose: () => void;
  onSubmit: (choice: ConnectChoice) => void;
};

/** Brand, app, capabilities and redirect for a new connection. */
export function ConnectModal({ platform, clientName, apps, brands, onClose, onSubmit }: Props) {
  const mine = apps.filter((a) => a.platform === platform?.id);
  const [appId, setAppId] = useState('');
  const [brandId, setBrandId] = useState('');
  const [capabilities, setCapabilities] = useState<string[]>([]);
  const [redirect, setRedirect] = useState('');
  const [error, setError] = useState<string | null>(null);

  const platformId = platform?.id;
  const firstApp = mine[0]?.id ?? '';
  useEffect(() => {
    setAppId(firstApp);
    setBrandId('');
    setCapabilities(platform?.capabilities ?? []);
    setRedirect('');
    setError(null);
    // Reset only when another platform's dialog opens.
  }, [platformId]);

  if (!platform) return <Modal opened={false} onClose={onClose} title="Connect" />;

  const oauth = platform.sign_in === 'oauth';
  const app = mine.find((a) => a.id === appId) ?? mine[0] ?? null;
  const defaultRedirect = app?.redirect ?? platform.redirects[0] ?? '';
  const effectiveRedirect = redirect || defaultRedirect;
  const relayMissing = oauth && effectiveRedirect === 'https_relay' && !app?.relay_url;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (oauth && platform.capabilities.length > 0 && capabilities.length === 0) {
      setError('Choose at least one thing Switchboard may do.');
      return;
    }
    onSubmit({ appId: app?.id ?? null, brandId: brandId || null, capabilities: oauth ? capabilities : [], redirect: redirect || null });
    onClose();
  };

  return (
    <Modal opened onClose={onClose} title={`Connect ${platform.display_name}`} centered>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {oauth
              ? `Switchboard opens the ${platform.display_name} sign-in page in your browser. Sign in with the account ${clientName} uses there.`
              : `Switchboard checks the API key saved in your ${platform.display_name} app credentials, then keeps it for ${clientName}.`}
          </Text>
          {mine.length > 1 && (
            <NativeSelect
              label="App registration"
              value={appId}
              onChange={(e) => setAppId(e.currentTarget.value)}
              data={mine.map((a) => ({ value: a.id, label: a.label }))}
              data-testid="connect-app"
            />
          )}
          <NativeSelect
            label="Brand"
            description="Optional: a connection can belong to one brand of the client."
            value={brandId}
            onChange={(e) => setBrandId(e.currentTarget.value)}
            data={[{ value: '', label: 'No brand (the whole client)' }, ...brands.map((b) => ({ value: b.id, label: b.name }))]}
            data-testid="connect-brand"
          />
          {oauth && platform.capabilities.length > 0 && (
            <Checkbox.Group label="What Switchboard may do" value={capabilities} onChange={setCapabilities} error={error}>
              <Stack gap={6} mt={6}>
                {platform.capabilities.map((c) => (
                  <Checkbox key={c} value={c} label={capabilityLabel(c)} data-testid={`connect-capability-${c}`} />
                ))}
              </Stack>
            </Checkbox.Group>
          )}
          {oauth && platform.redirects.length > 1 && (
            <NativeSelect
              label="Come back to Switchboard through"
              value={redirect}
              onChange={(e) => setRedirect(e.currentTarget.value)}
              data={[
                { value: '', label: `Default: ${redirectLabel(defaultRedirect)}` },
                ...platform.redirects.map((r) => ({ value: r, label: redirectLabel(r) })),
              ]}
              data-testid="connect-redirect"
            />
          )}
          {relayMissing && (
            <Alert color="yellow" title="No relay URL">
              The HTTPS relay needs a relay URL in the {platform.display_name} app credentials (Settings → App credentials).
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" data-testid="connect-submit">
              {oauth ? 'Open the sign-in page' : 'Connect with API key'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
