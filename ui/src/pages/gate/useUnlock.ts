import { useState } from 'react';
import { errorMessage, useBackend, type AppStatus } from '../../backend';

/** Unlocks the vault with a passphrase, tracking busy state and the error to show. */
export function useUnlock(onStatus: (status: AppStatus) => void) {
  const backend = useBackend();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  /** `problem` is the caller's validation result: when set, it is shown and nothing is sent. */
  const unlock = async (passphrase: string, problem: string | null) => {
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onStatus(await backend.unlockVault(passphrase));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return { error, busy, unlock };
}
