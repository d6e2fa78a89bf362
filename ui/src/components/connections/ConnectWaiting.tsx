import { ActionIcon, Alert, Button, CopyButton, Group, Loader, Stack, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import type { WaitingFlow } from '../../hooks/useConnectFlows';
import { ExternalLink } from '../ExternalLink';

type Props = { flow: WaitingFlow; platformName: string; onCancel: () => void };

/** A sign-in is open in the system browser; the link is here in case no browser window appeared. */
export function ConnectWaiting({ flow, platformName, onCancel }: Props) {
  return (
    <Alert color="indigo" variant="light" icon={<Loader size={18} />} title="Finish signing in in your browser…" data-testid="connect-waiting">
      <Stack gap="xs">
        <Text size="sm">
          The {platformName} sign-in page should be open in your browser. If it is not, open this link yourself:
        </Text>
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <ExternalLink href={flow.authorize_url} size="sm" style={{ wordBreak: 'break-all' }} data-testid="connect-authorize-url">
            {flow.authorize_url}
          </ExternalLink>
          <CopyButton value={flow.authorize_url}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? 'Copied' : 'Copy the link'}>
                <ActionIcon variant="subtle" onClick={copy} aria-label="Copy the sign-in link">
                  {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        </Group>
        <Text size="xs" c="dimmed">
          The browser returns to <code>{flow.redirect_uri}</code> when you are done.
        </Text>
        <Group>
          <Button variant="default" size="xs" onClick={onCancel} data-testid="connect-cancel">
            Cancel sign-in
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
