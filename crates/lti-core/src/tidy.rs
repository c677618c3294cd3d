//! Keeping the store tidy (issue 11, item 7): deleting flows (chosen, found by a search, or older
//! than a date), pinning a flow so retention keeps it, a note on a flow (searchable: it joins
//! the search document of the flow's latest message), the store's size, and the retention
//! setting a background task applies.

use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::{Error, Result};

/// Deletes one flow whole: its search rows, messages, exchanges and the row itself. Pinned
/// flows are kept unless `force`. Returns whether it was deleted.
pub fn delete_flow(tx: &Transaction, id: &str, force: bool) -> Result<bool> {
    let pinned: Option<bool> = tx
        .query_row("SELECT pinned FROM flows WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    match pinned {
        None => return Ok(false),
        Some(true) if !force => return Ok(false),
        _ => {}
    }
    tx.prepare_cached(
        "DELETE FROM message_search WHERE rowid IN (SELECT id FROM messages WHERE flow_id = ?1)",
    )?
    .execute([id])?;
    tx.prepare_cached("DELETE FROM messages WHERE flow_id = ?1")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM exchanges WHERE flow_id = ?1")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM flow_links WHERE flow_id = ?1")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM flows WHERE id = ?1")?
        .execute([id])?;
    crate::store::tokens::forget_flow(tx, id)?;
    Ok(true)
}

/// Up to `batch` unpinned flows started before `cutoff_ms`, oldest first, deleted. Returns
/// how many were.
pub fn delete_older_than(tx: &Transaction, cutoff_ms: i64, batch: u32) -> Result<usize> {
    let ids: Vec<String> = tx
        .prepare_cached(
            "SELECT id FROM flows WHERE started_at < ?1 AND pinned = 0 ORDER BY started_at LIMIT ?2",
        )?
        .query_map(rusqlite::params![cutoff_ms, batch], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        delete_flow(tx, id, false)?;
    }
    Ok(ids.len())
}

pub fn set_pinned(tx: &Transaction, id: &str, pinned: bool) -> Result<()> {
    if tx.execute(
        "UPDATE flows SET pinned = ?2 WHERE id = ?1",
        rusqlite::params![id, pinned],
    )? == 0
    {
        return Err(Error::NotFound(format!("flow {id}")));
    }
    Ok(())
}

/// Sets (or clears, with an empty note) a flow's note and makes it searchable.
pub fn set_note(tx: &Transaction, id: &str, note: &str) -> Result<()> {
    let note = note.trim();
    let stored: Option<&str> = (!note.is_empty()).then_some(note);
    if tx.execute(
        "UPDATE flows SET note = ?2 WHERE id = ?1",
        rusqlite::params![id, stored],
    )? == 0
    {
        return Err(Error::NotFound(format!("flow {id}")));
    }
    // The note joins the search document of the flow's latest message (rebuilt whole: a
    // contentless index cannot append).
    let latest: Option<crate::search::DocRow> = tx
        .query_row(
            &format!(
                "{} WHERE m.flow_id = ?1 ORDER BY m.id DESC LIMIT 1",
                crate::search::DOC_ROW_SELECT
            ),
            [id],
            crate::search::doc_row,
        )
        .optional()?;
    if let Some((mid, json, summary, title, verdict, side)) = latest {
        let msg = crate::message_rows::decode(&json.json(tx)?)?;
        let facts: Map<String, Value> = serde_json::from_str(&summary).unwrap_or_default();
        let mut doc = crate::search::doc_of(&msg, &Map::new(), "").with_facts(
            &facts,
            Some(&title),
            crate::search::state_tokens(&verdict, &side),
        );
        if let Some(n) = stored {
            doc.body.push_str(n);
        }
        // Everything up to this message is indexed first, so the indexer will not add it again.
        while crate::search::index_new(tx, 2000)? == 2000 {}
        tx.execute("DELETE FROM message_search WHERE rowid = ?1", [mid])?;
        crate::search::insert(tx, mid, &doc)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct StoreInfo {
    pub path: String,
    /// The database and its log, in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub flows: i64,
    #[ts(type = "number")]
    pub pinned: i64,
    /// Flows older than this many days are deleted in the background (pinned ones kept).
    #[ts(optional = nullable)]
    pub retention_days: Option<u32>,
}

pub const RETENTION_KEY: &str = "retention_days";

pub fn retention_days(conn: &Connection) -> Result<Option<u32>> {
    Ok(conn
        .query_row(
            "SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?1",
            [RETENTION_KEY],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .and_then(|d| u32::try_from(d).ok())
        .filter(|d| *d > 0))
}

pub fn set_retention_days(tx: &Transaction, days: Option<u32>) -> Result<()> {
    match days.filter(|d| *d > 0) {
        Some(d) => tx.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rusqlite::params![RETENTION_KEY, d.to_string()],
        )?,
        None => tx.execute("DELETE FROM settings WHERE key = ?1", [RETENTION_KEY])?,
    };
    Ok(())
}

pub fn info(conn: &Connection, path: &std::path::Path) -> Result<StoreInfo> {
    let bytes = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum();
    let (flows, pinned): (i64, i64) = conn.query_row(
        "SELECT count(*), coalesce(sum(pinned), 0) FROM flows",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(StoreInfo {
        path: path.display().to_string(),
        bytes,
        flows,
        pinned,
        retention_days: retention_days(conn)?,
    })
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct DeleteFlowsArgs {
    /// These flows (pinned ones too: chosen by hand).
    #[serde(default)]
    #[ts(optional)]
    pub ids: Option<Vec<String>>,
    /// Every flow a filter-box query finds (pinned ones kept).
    #[serde(default)]
    #[ts(optional)]
    pub query: Option<String>,
    /// Every flow started more than this many days ago (pinned ones kept).
    #[serde(default)]
    #[ts(optional)]
    pub older_than_days: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct DeletedFlows {
    pub deleted: usize,
    /// Pinned flows a query or age left in place.
    pub kept_pinned: usize,
}

/// Applies `args` in batches (each its own write, so captures interleave).
pub async fn delete(store: &crate::store::Store, args: DeleteFlowsArgs) -> Result<DeletedFlows> {
    let mut deleted = 0;
    let mut kept_pinned = 0;
    if let Some(ids) = args.ids.filter(|v| !v.is_empty()) {
        for chunk in ids.chunks(200) {
            let chunk = chunk.to_vec();
            deleted += store
                .write(move |tx| {
                    let mut n = 0;
                    for id in &chunk {
                        n += delete_flow(tx, id, true)? as usize;
                    }
                    Ok(n)
                })
                .await?;
        }
    } else if let Some(q) = args.query.filter(|q| !q.trim().is_empty()) {
        let query = crate::search::parse(&q);
        crate::search::index_all_pending(store).await?;
        loop {
            let query = query.clone();
            let found = store
                .read(move |c| crate::search::search(c, &query, 500, None))
                .await?;
            let ids: Vec<String> = found
                .iter()
                .filter(|f| !f.pinned)
                .map(|f| f.id.clone())
                .collect();
            kept_pinned = found.len() - ids.len();
            if ids.is_empty() {
                break;
            }
            deleted += store
                .write(move |tx| {
                    let mut n = 0;
                    for id in &ids {
                        n += delete_flow(tx, id, false)? as usize;
                    }
                    Ok(n)
                })
                .await?;
        }
    } else if let Some(days) = args.older_than_days {
        let cutoff = crate::clock::now_ms() - days as i64 * 86_400_000;
        loop {
            let n = store
                .write(move |tx| delete_older_than(tx, cutoff, 500))
                .await?;
            deleted += n;
            if n < 500 {
                break;
            }
        }
        kept_pinned = store
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM flows WHERE started_at < ?1 AND pinned = 1",
                    [cutoff],
                    |r| r.get::<_, i64>(0),
                )? as usize)
            })
            .await?;
    } else {
        return Err(Error::BadRequest(
            "say which flows to delete: ids, a search query or older_than_days".into(),
        ));
    }
    tracing::info!(deleted, kept_pinned, "flows deleted");
    Ok(DeletedFlows {
        deleted,
        kept_pinned,
    })
}

/// Applies the retention setting now and then every hour until `stop`.
pub fn retention_in_background(
    store: crate::store::Store,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        loop {
            let days = store.read(retention_days).await.ok().flatten();
            if let Some(d) = days {
                match delete(
                    &store,
                    DeleteFlowsArgs {
                        ids: None,
                        query: None,
                        older_than_days: Some(d),
                    },
                )
                .await
                {
                    Ok(r) if r.deleted > 0 => tracing::info!(
                        deleted = r.deleted,
                        days = d,
                        "retention: old flows deleted"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "retention: could not delete old flows"),
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    });
}
