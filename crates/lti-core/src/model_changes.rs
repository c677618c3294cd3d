//! Announcing changes to the model — what users edit and the emulator's own writes — to every
//! client: in this process by an event, in other processes (the CLI next to a running app) by a
//! counter in the database that a watcher polls.

use std::sync::atomic::{AtomicI64, Ordering};

use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::events::EngineEvent;
use crate::Core;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// A platform registration of the tool side.
    Platform,
    /// An LTI 1.1 consumer (key and secret) registered on the tool side.
    Lti11Consumer,
    /// A tool registered in the emulator.
    EmulatorTool,
    Course,
    User,
    Enrollment,
    ResourceLink,
    LineItem,
    /// A score posted to the emulator's gradebook.
    Grade,
    /// Items a tool returned by deep linking.
    ContentItem,
    /// Changed by another process (the CLI): anything may have changed.
    External,
}

/// Bumps the model counter inside a write; returns the new value.
pub fn bump(tx: &Transaction) -> Result<i64> {
    Ok(tx.query_row(
        "UPDATE model_version SET version = version + 1 WHERE id = 1 RETURNING version",
        [],
        |r| r.get(0),
    )?)
}

/// The model counter as committed.
pub fn version(c: &Connection) -> Result<i64> {
    Ok(
        c.query_row("SELECT version FROM model_version WHERE id = 1", [], |r| {
            r.get(0)
        })?,
    )
}

/// The last counter value this process has announced.
#[derive(Debug, Default)]
pub struct Announced(AtomicI64);

impl Announced {
    /// Records `v` as announced; true when it is newer than anything announced before.
    pub fn advance(&self, v: i64) -> bool {
        self.0.fetch_max(v, Ordering::SeqCst) < v
    }
}

impl Core {
    /// Runs `f` in a write transaction that also bumps the model counter, then announces
    /// `kind` (with the changed object's id) to this process's clients.
    pub async fn write_model<T, F>(&self, kind: ModelKind, id: Option<String>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<T> + Send + 'static,
    {
        let (out, v) = self
            .store()
            .write(move |tx| {
                let out = f(tx)?;
                Ok((out, bump(tx)?))
            })
            .await?;
        self.model_announced().advance(v);
        self.events()
            .emit(EngineEvent::ModelChanged { model: kind, id });
        Ok(out)
    }

    /// Polls the model counter every `every` until `stop` turns true; a value this process did
    /// not announce is a change made elsewhere: `on_external` runs (drop caches) and
    /// `ModelChanged { External }` is emitted.
    pub fn watch_model(
        &self,
        every: std::time::Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
        on_external: impl Fn() + Send + Sync + 'static,
    ) {
        let core = self.clone();
        tokio::spawn(async move {
            if let Ok(v) = core.store().read(version).await {
                core.model_announced().advance(v);
            }
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                let Ok(v) = core.store().read(version).await else {
                    continue;
                };
                if core.model_announced().advance(v) {
                    on_external();
                    core.events().emit(EngineEvent::ModelChanged {
                        model: ModelKind::External,
                        id: None,
                    });
                }
            }
        });
    }
}
