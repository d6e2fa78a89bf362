import { useEffect } from 'react';
import { notifications } from '@mantine/notifications';
import { useBackend } from '../backend';

/** Tells the user what became of a link the OS handed to Switchboard. */
export function DeepLinkNotices() {
  const backend = useBackend();
  useEffect(
    () =>
      backend.onDeepLink((e) =>
        notifications.show({
          color: e.accepted ? 'teal' : 'yellow',
          title: e.accepted ? 'Link received' : 'Link ignored',
          message: e.message,
          autoClose: 10_000,
        }),
      ),
    [backend],
  );
  return null;
}
