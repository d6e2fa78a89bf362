import { PasswordInput } from '@mantine/core';

type Props = {
  label: string;
  passphrase: string;
  confirm: string;
  onPassphraseChange: (value: string) => void;
  onConfirmChange: (value: string) => void;
  error: string | null;
  /** The inputs get `testId` and `${testId}-confirm`. */
  testId: string;
  autoFocus?: boolean;
};

/** A new passphrase and its repetition; the error shows under the repetition. */
export function PassphrasePair({ label, passphrase, confirm, onPassphraseChange, onConfirmChange, error, testId, autoFocus }: Props) {
  return (
    <>
      <PasswordInput
        label={label}
        description="At least 10 characters."
        value={passphrase}
        onChange={(e) => onPassphraseChange(e.currentTarget.value)}
        autoFocus={autoFocus}
        autoComplete="new-password"
        data-testid={testId}
      />
      <PasswordInput
        label="Repeat passphrase"
        value={confirm}
        onChange={(e) => onConfirmChange(e.currentTarget.value)}
        error={error}
        autoComplete="new-password"
        data-testid={`${testId}-confirm`}
      />
    </>
  );
}
