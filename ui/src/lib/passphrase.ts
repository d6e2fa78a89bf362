export const MIN_PASSPHRASE_LENGTH = 10;

/** Returns a message explaining what is wrong, or null if the pair is acceptable. */
export function validateNewPassphrase(passphrase: string, confirm: string): string | null {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) return `Use at least ${MIN_PASSPHRASE_LENGTH} characters.`;
  if (passphrase !== confirm) return 'The two passphrases do not match.';
  return null;
}
