use super::clean_name;
use crate::error::{Result, StoreError};
use crate::rw::{ChangeKind, Read, Write};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
pub struct Client {
    pub id: String,
    pub name: String,
    /// IANA time zone, used when people pick wall-clock times for this client.
    pub timezone: String,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
pub struct Brand {
    pub id: String,
    pub client_id: String,
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct NewClient {
    pub name: String,
    pub timezone: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
pub struct ClientPatch {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub notes: Option<String>,
}

const CLIENT_COLS: &str = "id, name, timezone, notes, created_at, updated_at, archived_at";
const BRAND_COLS: &str = "id, client_id, name, created_at, updated_at";

fn client_row(r: &Row<'_>) -> rusqlite::Result<Client> {
    Ok(Client {
        id: r.get(0)?,
        name: r.get(1)?,
        timezone: r.get(2)?,
        notes: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        archived_at: r.get(6)?,
    })
}

fn brand_row(r: &Row<'_>) -> rusqlite::Result<Brand> {
    Ok(Brand {
        id: r.get(0)?,
        client_id: r.get(1)?,
        name: r.get(2)?,
        created_at: r.get(3)?,
        updated_at: r.get(4)?,
    })
}

fn check_timezone(tz: &str) -> Result<String> {
    tz.parse::<chrono_tz::Tz>()
        .map(|z| z.name().to_owned())
        .map_err(|_| {
            StoreError::Invalid(format!(
                "'{tz}' is not an IANA time zone (e.g. Europe/Berlin)"
            ))
        })
}

pub(crate) fn unique_violation(e: rusqlite::Error, what: &str) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE {
            return StoreError::Conflict(format!("{what} already exists"));
        }
    }
    StoreError::classify(e)
}

impl<'t> Read<'t> {
    pub fn workspace(&self) -> Result<Option<Workspace>> {
        self.conn
            .query_row(
                "SELECT id, name, created_at FROM workspace LIMIT 1",
                [],
                |r| {
                    Ok(Workspace {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        created_at: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(StoreError::classify)
    }

    pub fn list_clients(&self, include_archived: bool) -> Result<Vec<Client>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {CLIENT_COLS} FROM clients WHERE (?1 OR archived_at IS NULL) ORDER BY name COLLATE NOCASE"
        ))?;
        let rows = stmt.query_map([include_archived], client_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(StoreError::classify)
    }

    /// The one door to a client's rows.
    pub fn client(&self, client_id: &str) -> Result<ClientRead<'_>> {
        let client = self
            .conn
            .query_row(
                &format!("SELECT {CLIENT_COLS} FROM clients WHERE id = ?1"),
                [client_id],
                client_row,
            )
            .optional()
            .map_err(StoreError::classify)?
            .ok_or_else(|| StoreError::not_found(format!("client {client_id}")))?;
        Ok(ClientRead {
            conn: self.conn,
            files: self.files,
            client,
        })
    }
}

/// Read access to one client's rows; every query binds `client.id`.
pub struct ClientRead<'r> {
    pub(super) conn: &'r rusqlite::Connection,
    pub(super) files: Option<&'r crate::files::AssetFiles>,
    pub(super) client: Client,
}

impl ClientRead<'_> {
    pub fn info(&self) -> &Client {
        &self.client
    }

    pub fn brands(&self) -> Result<Vec<Brand>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {BRAND_COLS} FROM brands WHERE client_id = ?1 ORDER BY name COLLATE NOCASE"
        ))?;
        let rows = stmt.query_map([&self.client.id], brand_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(StoreError::classify)
    }

    pub fn brand(&self, brand_id: &str) -> Result<Brand> {
        self.conn
            .query_row(
                &format!("SELECT {BRAND_COLS} FROM brands WHERE id = ?1 AND client_id = ?2"),
                [brand_id, &self.client.id],
                brand_row,
            )
            .optional()
            .map_err(StoreError::classify)?
            .ok_or_else(|| {
                StoreError::not_found(format!("brand {brand_id} of client {}", self.client.name))
            })
    }
}

impl<'t> Write<'t> {
    /// The agency's workspace, created on first use.
    pub fn ensure_workspace(&mut self, default_name: &str) -> Result<Workspace> {
        if let Some(ws) = self.read().workspace()? {
            return Ok(ws);
        }
        let ws = Workspace {
            id: uuid::Uuid::now_v7().to_string(),
            name: clean_name("workspace", default_name)?,
            created_at: self.now(),
        };
        self.tx.execute(
            "INSERT INTO workspace (id, name, created_at) VALUES (?1, ?2, ?3)",
            params![ws.id, ws.name, ws.created_at],
        )?;
        self.changed("workspace", ws.id.clone(), ChangeKind::Created);
        Ok(ws)
    }

    pub fn rename_workspace(&mut self, name: &str) -> Result<Workspace> {
        let ws = self.ensure_workspace(name)?;
        let name = clean_name("workspace", name)?;
        self.tx.execute(
            "UPDATE workspace SET name = ?1 WHERE id = ?2",
            params![name, ws.id],
        )?;
        self.changed("workspace", ws.id.clone(), ChangeKind::Updated);
        Ok(Workspace { name, ..ws })
    }

    pub fn create_client(&mut self, new: NewClient) -> Result<Client> {
        let ws = self.ensure_workspace("My agency")?;
        let now = self.now();
        let client = Client {
            id: uuid::Uuid::now_v7().to_string(),
            name: clean_name("client", &new.name)?,
            timezone: check_timezone(new.timezone.as_deref().unwrap_or("UTC"))?,
            notes: new.notes.unwrap_or_default(),
            created_at: now.clone(),
            updated_at: now,
            archived_at: None,
        };
        self.tx
            .execute(
                "INSERT INTO clients (id, workspace_id, name, timezone, notes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![client.id, ws.id, client.name, client.timezone, client.notes, client.created_at, client.updated_at],
            )
            .map_err(|e| unique_violation(e, &format!("a client named '{}'", client.name)))?;
        self.changed("client", client.id.clone(), ChangeKind::Created);
        Ok(client)
    }

    /// The one door to change a client's rows.
    pub fn client<'w>(&'w mut self, client_id: &str) -> Result<ClientWrite<'w, 't>> {
        let client = self.read().client(client_id)?.client;
        Ok(ClientWrite { w: self, client })
    }
}

/// Write access to one client's rows; every statement binds `client.id`.
pub struct ClientWrite<'w, 't> {
    pub(super) w: &'w mut Write<'t>,
    pub(super) client: Client,
}

impl ClientWrite<'_, '_> {
    pub fn info(&self) -> &Client {
        &self.client
    }

    pub fn update(&mut self, patch: ClientPatch) -> Result<Client> {
        let mut c = self.client.clone();
        if let Some(n) = patch.name {
            c.name = clean_name("client", &n)?;
        }
        if let Some(tz) = patch.timezone {
            c.timezone = check_timezone(&tz)?;
        }
        if let Some(notes) = patch.notes {
            c.notes = notes;
        }
        c.updated_at = self.w.now();
        self.w
            .tx
            .execute(
                "UPDATE clients SET name = ?1, timezone = ?2, notes = ?3, updated_at = ?4 WHERE id = ?5",
                params![c.name, c.timezone, c.notes, c.updated_at, c.id],
            )
            .map_err(|e| unique_violation(e, &format!("a client named '{}'", c.name)))?;
        self.w.changed("client", c.id.clone(), ChangeKind::Updated);
        self.client = c.clone();
        Ok(c)
    }

    pub fn set_archived(&mut self, archived: bool) -> Result<Client> {
        let at = archived.then(|| self.w.now());
        self.w
            .tx
            .execute(
                "UPDATE clients SET archived_at = ?1 WHERE id = ?2",
                params![at, self.client.id],
            )
            .map_err(|e| {
                unique_violation(e, &format!("an active client named '{}'", self.client.name))
            })?;
        self.client.archived_at = at;
        self.w
            .changed("client", self.client.id.clone(), ChangeKind::Updated);
        Ok(self.client.clone())
    }

    /// Delete the client and everything that belongs to it.
    pub fn delete(self) -> Result<()> {
        self.w
            .tx
            .execute("DELETE FROM clients WHERE id = ?1", [&self.client.id])?;
        // Bytes only this client's assets used (files go at the next sweep).
        super::assets::drop_unused_blobs(&self.w.tx)?;
        self.w
            .changed("client", self.client.id.clone(), ChangeKind::Deleted);
        Ok(())
    }

    pub fn create_brand(&mut self, name: &str) -> Result<Brand> {
        let now = self.w.now();
        let brand = Brand {
            id: uuid::Uuid::now_v7().to_string(),
            client_id: self.client.id.clone(),
            name: clean_name("brand", name)?,
            created_at: now.clone(),
            updated_at: now,
        };
        self.w
            .tx
            .execute(
                "INSERT INTO brands (id, client_id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![brand.id, brand.client_id, brand.name, brand.created_at, brand.updated_at],
            )
            .map_err(|e| unique_violation(e, &format!("a brand named '{}' for this client", brand.name)))?;
        self.w
            .changed("brand", brand.id.clone(), ChangeKind::Created);
        Ok(brand)
    }

    pub fn rename_brand(&mut self, brand_id: &str, name: &str) -> Result<Brand> {
        let name = clean_name("brand", name)?;
        let now = self.w.now();
        let n = self
            .w
            .tx
            .execute(
                "UPDATE brands SET name = ?1, updated_at = ?2 WHERE id = ?3 AND client_id = ?4",
                params![name, now, brand_id, self.client.id],
            )
            .map_err(|e| unique_violation(e, &format!("a brand named '{name}' for this client")))?;
        if n == 0 {
            return Err(StoreError::not_found(format!(
                "brand {brand_id} of client {}",
                self.client.name
            )));
        }
        self.w
            .changed("brand", brand_id.to_owned(), ChangeKind::Updated);
        ClientRead {
            conn: &self.w.tx,
            files: self.w.files,
            client: self.client.clone(),
        }
        .brand(brand_id)
    }

    pub fn delete_brand(&mut self, brand_id: &str) -> Result<()> {
        let n = self.w.tx.execute(
            "DELETE FROM brands WHERE id = ?1 AND client_id = ?2",
            [brand_id, &self.client.id],
        )?;
        if n == 0 {
            return Err(StoreError::not_found(format!(
                "brand {brand_id} of client {}",
                self.client.name
            )));
        }
        self.w
            .changed("brand", brand_id.to_owned(), ChangeKind::Deleted);
        Ok(())
    }

    pub fn brands(&self) -> Result<Vec<Brand>> {
        ClientRead {
            conn: &self.w.tx,
            files: self.w.files,
            client: self.client.clone(),
        }
        .brands()
    }
}
