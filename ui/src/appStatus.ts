import { createContext, useContext } from 'react';
import type { AppStatus } from './backend';

export type AppStatusContextValue = {
  status: AppStatus;
  /** Re-reads appStatus() and re-mounts the app shell (after a restore or re-key). */
  reloadApp: () => Promise<void>;
};

export const AppStatusContext = createContext<AppStatusContextValue | null>(null);

export function useAppStatus(): AppStatusContextValue {
  const value = useContext(AppStatusContext);
  if (!value) throw new Error('useAppStatus must be used inside <StartupGate>');
  return value;
}
