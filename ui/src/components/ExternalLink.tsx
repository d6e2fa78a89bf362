import { Anchor, type AnchorProps } from '@mantine/core';
import type { ReactNode } from 'react';
import { useBackend } from '../backend';
import { notifyError } from '../lib/notify';

type Props = AnchorProps & { href: string; children: ReactNode; 'data-testid'?: string };

/**
 * A link that opens in the system browser (through the backend, which only opens https
 * and loopback URLs), never inside the app's own webview.
 */
export function ExternalLink({ href, children, ...rest }: Props) {
  const backend = useBackend();
  return (
    <Anchor
      {...rest}
      href={href}
      onClick={(e) => {
        e.preventDefault();
        backend.openExternal(href).catch((err) => notifyError('Could not open the browser', err));
      }}
    >
      {children}
    </Anchor>
  );
}
