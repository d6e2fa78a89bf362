import { notifications } from '@mantine/notifications';
import { errorMessage } from '../backend';

export function notifyError(title: string, e: unknown) {
  notifications.show({ color: 'red', title, message: errorMessage(e), autoClose: 8000 });
}

export function notifySuccess(message: string) {
  notifications.show({ color: 'teal', message, autoClose: 3000 });
}
