use crate::error::{Result, StoreError};
use crate::rw::{ChangeKind, Read, Write};
use crate::vault::DEFAULT_BACKUPS_KEPT;
use rusqlite::{params, OptionalExtension};

/// The settings the vault knows; each validated on write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKey {
    /// How many backups to keep (1–100).
    BackupsKept,
    /// The updater's release-manifest URL (https, or http on loopback for testing).
    UpdaterEndpoint,
    /// The minisign public key releases are verified against.
    UpdaterPubkey,
    /// "light", "dark" or "system".
    Theme,
    /// The client the UI last worked on.
    CurrentClient,
}

impl SettingKey {
    pub const ALL: [SettingKey; 5] = [
        SettingKey::BackupsKept,
        SettingKey::UpdaterEndpoint,
        SettingKey::UpdaterPubkey,
        SettingKey::Theme,
        SettingKey::CurrentClient,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SettingKey::BackupsKept => "backup.keep",
            SettingKey::UpdaterEndpoint => "updater.endpoint",
            SettingKey::UpdaterPubkey => "updater.pubkey",
            SettingKey::Theme => "ui.theme",
            SettingKey::CurrentClient => "ui.current_client",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| StoreError::Invalid(format!("unknown setting '{s}'")))
    }

    fn validate(self, value: &str) -> Result<()> {
        let bad = |why: &str| Err(StoreError::Invalid(format!("{}: {why}", self.as_str())));
        match self {
            SettingKey::BackupsKept => match value.parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => Ok(()),
                _ => bad("a whole number from 1 to 100"),
            },
            SettingKey::UpdaterEndpoint => {
                if value.is_empty() || value.starts_with("https://") || is_loopback_http(value) {
                    Ok(())
                } else {
                    bad("must be an https:// URL (or http:// on 127.0.0.1 / localhost for testing)")
                }
            }
            SettingKey::UpdaterPubkey => {
                if value.len() <= 4096
                    && value
                        .chars()
                        .all(|c| c.is_ascii_graphic() || c == ' ' || c == '\n')
                {
                    Ok(())
                } else {
                    bad("not a minisign public key")
                }
            }
            SettingKey::Theme => match value {
                "light" | "dark" | "system" => Ok(()),
                _ => bad("one of light, dark, system"),
            },
            SettingKey::CurrentClient => Ok(()),
        }
    }
}

/// `http://127.0.0.1[:port]/…`, `http://[::1]…` or `http://localhost…`.
pub fn is_loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    matches!(host, "127.0.0.1" | "::1" | "localhost")
}

impl Read<'_> {
    pub fn setting(&self, key: SettingKey) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [key.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::classify)
    }

    pub fn backups_kept(&self) -> Result<usize> {
        Ok(self
            .setting(SettingKey::BackupsKept)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_BACKUPS_KEPT))
    }
}

impl Write<'_> {
    pub fn set_setting(&mut self, key: SettingKey, value: &str) -> Result<()> {
        key.validate(value)?;
        let now = self.now();
        self.tx.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![key.as_str(), value, now],
        )?;
        self.changed("setting", key.as_str(), ChangeKind::Updated);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_detection() {
        assert!(is_loopback_http("http://127.0.0.1:8080/latest.json"));
        assert!(is_loopback_http("http://[::1]:9/x"));
        assert!(is_loopback_http("http://localhost/x"));
        assert!(!is_loopback_http("http://127.0.0.1.evil.com/x"));
        assert!(!is_loopback_http("http://example.com/"));
        assert!(!is_loopback_http("https://127.0.0.1/"));
    }

    #[test]
    fn setting_validation() {
        assert!(SettingKey::BackupsKept.validate("0").is_err());
        assert!(SettingKey::BackupsKept.validate("7").is_ok());
        assert!(SettingKey::UpdaterEndpoint.validate("ftp://x").is_err());
        assert!(SettingKey::UpdaterEndpoint
            .validate("http://example.com/u.json")
            .is_err());
        assert!(SettingKey::UpdaterEndpoint
            .validate("https://updates.example.com/u.json")
            .is_ok());
        assert!(SettingKey::Theme.validate("neon").is_err());
    }
}
