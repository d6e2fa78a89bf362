import { notifications } from '@mantine/notifications';
import { usePostSettled } from '../../hooks/usePostChanges';
import { settledNotice } from '../../lib/posts';

/** Tells the user, on whatever page is open, what the scheduler did with each target. */
export function PostNotices() {
  usePostSettled((e) => {
    const notice = settledNotice(e);
    if (!notice) return;
    notifications.show({
      ...notice,
      // Good news goes away by itself; anything a person must act on stays a while.
      autoClose: e.state === 'published' || e.state === 'scheduled_remote' ? 6000 : 20_000,
    });
  });
  return null;
}
