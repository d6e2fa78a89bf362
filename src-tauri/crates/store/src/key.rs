//! Where the vault key comes from: 32 CSPRNG bytes kept in the OS keyring, or a
//! passphrase stretched with Argon2id. The key only ever exists inside `VaultKey`
//! (zeroized on drop, redacted in Debug, not serializable).

use crate::error::{Result, StoreError};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The keyring service every Switchboard vault key is filed under.
pub const KEYRING_SERVICE: &str = "dev.switchboard.app";

pub struct VaultKey(SecretBox<[u8; 32]>);

impl VaultKey {
    pub fn random() -> Self {
        let mut bytes = Box::new([0u8; 32]);
        rand::fill(&mut bytes[..]);
        VaultKey(SecretBox::new(bytes))
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(VaultKey(SecretBox::new(Box::new(arr))))
    }

    /// The SQLCipher raw-key pragma (`x'…'` skips PBKDF2). Built from bytes, never
    /// from user text, so it cannot be mis-quoted; zeroized when dropped.
    pub(crate) fn pragma_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"x'{}'\"", hex::encode(self.0.expose_secret())))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VaultKey([REDACTED])")
    }
}

/// Argon2id parameters, stored (with the salt, never the key) in the descriptor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KdfParams {
    pub algorithm: String,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub salt_hex: String,
}

impl KdfParams {
    /// OWASP's Argon2id guidance, erring high: 64 MiB, 3 passes, 1 lane.
    pub fn new_random_salt() -> Self {
        let mut salt = [0u8; 16];
        rand::fill(&mut salt[..]);
        KdfParams {
            algorithm: "argon2id".into(),
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 1,
            salt_hex: hex::encode(salt),
        }
    }

    pub fn derive(&self, passphrase: &SecretString) -> Result<VaultKey> {
        if self.algorithm != "argon2id" {
            return Err(StoreError::Invalid(format!(
                "unknown key derivation '{}'",
                self.algorithm
            )));
        }
        let salt = hex::decode(&self.salt_hex)
            .map_err(|_| StoreError::Invalid("descriptor salt is not hex".into()))?;
        let params =
            argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
                .map_err(|e| StoreError::Invalid(format!("bad Argon2 parameters: {e}")))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Box::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.expose_secret().as_bytes(), &salt, &mut out[..])
            .map_err(|e| StoreError::Invalid(format!("key derivation failed: {e}")))?;
        Ok(VaultKey(SecretBox::new(out)))
    }
}

/// How a vault's key is found. Stored in the descriptor; holds no secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum KeySpec {
    /// 32 random bytes in the OS keyring under (`KEYRING_SERVICE`, `account`).
    Keyring { key_id: String, account: String },
    /// Argon2id over the user's passphrase.
    Passphrase { key_id: String, kdf: KdfParams },
}

impl KeySpec {
    pub fn key_id(&self) -> &str {
        match self {
            KeySpec::Keyring { key_id, .. } | KeySpec::Passphrase { key_id, .. } => key_id,
        }
    }
    pub fn mode(&self) -> KeyMode {
        match self {
            KeySpec::Keyring { .. } => KeyMode::Keyring,
            KeySpec::Passphrase { .. } => KeyMode::Passphrase,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum KeyMode {
    Keyring,
    Passphrase,
}

/// The OS secret store, behind a trait so the failure paths (locked keyring, missing
/// entry) can be exercised. Production code only ever uses [`OsKeyring`].
pub trait SecretStore: Send + Sync {
    /// A human name of the backend, e.g. "Secret Service (Linux)".
    fn backend(&self) -> String;
    /// Ok(()) when the store can be used right now.
    fn probe(&self) -> Result<()>;
    fn get(&self, account: &str) -> Result<Option<VaultKey>>;
    fn set(&self, account: &str, key: &VaultKey) -> Result<()>;
    fn delete(&self, account: &str) -> Result<()>;
}

/// The real OS keyring: macOS Keychain, Windows Credential Manager, Linux Secret
/// Service (keyring 4 picks the platform store itself and never falls back to a mock).
pub struct OsKeyring;

impl OsKeyring {
    fn entry(account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(KEYRING_SERVICE, account).map_err(map_keyring_error)
    }
}

fn map_keyring_error(e: keyring::Error) -> StoreError {
    match e {
        keyring::Error::NoDefaultStore
        | keyring::Error::PlatformFailure(_)
        | keyring::Error::NoStorageAccess(_) => StoreError::KeyringUnavailable {
            detail: e.to_string(),
        },
        other => StoreError::Keyring(other.to_string()),
    }
}

impl SecretStore for OsKeyring {
    fn backend(&self) -> String {
        if cfg!(target_os = "macos") {
            "macOS Keychain".into()
        } else if cfg!(target_os = "windows") {
            "Windows Credential Manager".into()
        } else {
            "Secret Service (D-Bus)".into()
        }
    }

    fn probe(&self) -> Result<()> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(StoreError::KeyringUnavailable {
                detail: e.to_string(),
            });
        }
        match Self::entry("probe")?.get_secret() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn get(&self, account: &str) -> Result<Option<VaultKey>> {
        match Self::entry(account)?.get_secret() {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                VaultKey::from_slice(&bytes).map(Some).ok_or_else(|| {
                    StoreError::Keyring(format!(
                        "keyring entry {account} does not hold a 32-byte key"
                    ))
                })
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn set(&self, account: &str, key: &VaultKey) -> Result<()> {
        Self::entry(account)?
            .set_secret(key.bytes())
            .map_err(map_keyring_error)
    }

    fn delete(&self, account: &str) -> Result<()> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
}

/// A secret store with no backend at all: what a headless machine without Secret
/// Service looks like. Used by tests of the passphrase fallback.
pub struct NoKeyring;

impl SecretStore for NoKeyring {
    fn backend(&self) -> String {
        "none".into()
    }
    fn probe(&self) -> Result<()> {
        Err(StoreError::KeyringUnavailable {
            detail: "no secret store on this machine".into(),
        })
    }
    fn get(&self, _: &str) -> Result<Option<VaultKey>> {
        self.probe().map(|_| None)
    }
    fn set(&self, _: &str, _: &VaultKey) -> Result<()> {
        self.probe()
    }
    fn delete(&self, _: &str) -> Result<()> {
        self.probe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_key_debug_is_redacted() {
        let key = VaultKey::from_slice(&[0xAB; 32]).expect("32 bytes");
        let shown = format!("{key:?}");
        assert!(
            !shown.contains("ab") && !shown.contains("AB"),
            "debug output leaked key bytes: {shown}"
        );
        assert_eq!(shown, "VaultKey([REDACTED])");
    }

    #[test]
    fn random_keys_are_32_bytes_and_distinct() {
        let a = VaultKey::random();
        let b = VaultKey::random();
        assert_eq!(a.bytes().len(), 32);
        assert_ne!(a.bytes(), b.bytes(), "two random keys were equal");
    }

    #[test]
    fn pragma_literal_is_raw_hex_key() {
        let key = VaultKey::from_slice(&[1u8; 32]).expect("32 bytes");
        let lit = key.pragma_literal();
        assert_eq!(lit.as_str(), format!("\"x'{}'\"", "01".repeat(32)));
    }

    #[test]
    fn argon2id_is_deterministic_per_salt_and_differs_across_salts() {
        let mut p = KdfParams::new_random_salt();
        p.memory_kib = 1024; // small for a unit test; production uses 64 MiB
        let pass = SecretString::from("correct horse battery staple");
        let k1 = p.derive(&pass).expect("derive");
        let k2 = p.derive(&pass).expect("derive");
        assert_eq!(
            k1.bytes(),
            k2.bytes(),
            "same passphrase+salt must give same key"
        );
        let mut q = p.clone();
        q.salt_hex = hex::encode([7u8; 16]);
        let k3 = q.derive(&pass).expect("derive");
        assert_ne!(
            k1.bytes(),
            k3.bytes(),
            "different salts must give different keys"
        );
    }
}
