//! Recorded HTTP exchanges: every request the inspector receives or sends, whole and raw.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The capture endpoint: what LMSs launch into.
    Tool,
    /// The built-in platform emulator.
    Emulator,
    /// Brought in from a file or a paste (HAR, token, form body): recorded elsewhere.
    Imported,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

macro_rules! text_enum {
    ($t:ty { $($v:ident => $s:literal),* }) => {
        impl $t {
            pub fn as_str(self) -> &'static str { match self { $(Self::$v => $s),* } }
            pub fn parse(s: &str) -> Result<Self> {
                match s { $($s => Ok(Self::$v),)* other => Err(Error::Internal(format!("bad {} value {other:?}", stringify!($t)))) }
            }
        }
    };
}
text_enum!(Side { Tool => "tool", Emulator => "emulator", Imported => "imported" });
text_enum!(Direction { Inbound => "inbound", Outbound => "outbound" });

/// A header as sent on the wire: name and value, order kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// What the capture and client paths hand to the store.
#[derive(Debug, Clone)]
pub struct NewExchange {
    pub flow_id: Option<String>,
    pub side: Side,
    pub direction: Direction,
    pub step: Option<String>,
    pub method: String,
    pub url: String,
    pub status: Option<u16>,
    pub started_at_ms: i64,
    pub duration_us: i64,
    pub peer: Option<String>,
    pub request_headers: Vec<Header>,
    pub request_body: Vec<u8>,
    pub request_truncated: bool,
    pub response_headers: Vec<Header>,
    pub response_body: Vec<u8>,
    pub error: Option<String>,
}

/// One row of the Timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExchangeSummary {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(optional = nullable)]
    pub flow_id: Option<String>,
    pub side: Side,
    pub direction: Direction,
    #[ts(optional = nullable)]
    pub step: Option<String>,
    pub method: String,
    pub url: String,
    #[ts(optional = nullable)]
    pub status: Option<u16>,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub started_at: i64,
    pub duration_ms: f64,
    #[ts(optional = nullable)]
    pub peer: Option<String>,
    #[ts(type = "number")]
    pub request_bytes: i64,
    #[ts(type = "number")]
    pub response_bytes: i64,
    pub request_truncated: bool,
    #[ts(optional = nullable)]
    pub error: Option<String>,
}

/// A whole exchange. Bodies are given as text (lossy UTF-8, what a person reads) and, when they
/// are not valid UTF-8, also as base64 so nothing is lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Exchange {
    pub summary: ExchangeSummary,
    pub request_headers: Vec<Header>,
    pub request_body: String,
    #[ts(optional = nullable)]
    pub request_body_base64: Option<String>,
    pub response_headers: Vec<Header>,
    pub response_body: String,
    #[ts(optional = nullable)]
    pub response_body_base64: Option<String>,
    /// What was masked before this exchange left the engine ("request header Authorization"…);
    /// empty when nothing was, or when it was asked for revealed.
    #[serde(default)]
    pub masked: Vec<String>,
}

/// An exchange's columns packed (headers, bodies, their tokens taken out and encoded) before
/// the writer thread gets it: the CPU work of storing an exchange, done by the caller so the
/// single writer only runs SQL ([`insert_prepared`]).
pub struct Prepared {
    request_headers: Vec<u8>,
    response_headers: Vec<u8>,
    request_body: PreparedBody,
    response_body: PreparedBody,
}

enum PreparedBody {
    /// Stored as it is, or as one zstd frame (`true`).
    Whole(Vec<u8>, bool),
    /// Its tokens taken out: the list of where they were goes before the rest (packed or not).
    Split(super::tokens::Split, Vec<u8>, bool),
}

/// [`Prepared`] for `ex`; tokens are kept apart only for an exchange of a flow.
pub fn prepare(ex: &NewExchange) -> Result<Prepared> {
    let body = |bytes: &[u8]| -> Result<PreparedBody> {
        let split = match ex.flow_id {
            Some(_) => super::tokens::split(bytes)?,
            None => None,
        };
        Ok(match split {
            Some(split) => {
                let (rest, packed) = pack_body(&split.rest);
                let rest = rest.into_owned();
                PreparedBody::Split(split, rest, packed)
            }
            None => {
                let (stored, packed) = pack_body(bytes);
                PreparedBody::Whole(stored.into_owned(), packed)
            }
        })
    };
    Ok(Prepared {
        request_headers: super::header_rows::pack(&ex.request_headers)?,
        response_headers: super::header_rows::pack(&ex.response_headers)?,
        request_body: body(&ex.request_body)?,
        response_body: body(&ex.response_body)?,
    })
}

pub fn insert(tx: &Transaction, ex: &NewExchange) -> Result<ExchangeSummary> {
    insert_prepared(tx, ex, prepare(ex)?)
}

/// Inserts `ex` with its columns as [`prepare`]d (for the same `ex`). An exchange that lost
/// its flow since (the flow could not be stored) keeps its tokens in its bodies.
pub fn insert_prepared(
    tx: &Transaction,
    ex: &NewExchange,
    prepared: Prepared,
) -> Result<ExchangeSummary> {
    if ex.flow_id.is_none()
        && [&prepared.request_body, &prepared.response_body]
            .iter()
            .any(|b| matches!(b, PreparedBody::Split(..)))
    {
        return insert(tx, ex);
    }
    let flow = ex.flow_id.as_deref().unwrap_or_default();
    let store = |b: PreparedBody| -> Result<(Vec<u8>, bool, bool)> {
        Ok(match b {
            PreparedBody::Whole(stored, packed) => (stored, packed, false),
            PreparedBody::Split(split, rest, packed) => {
                let mut stored = super::tokens::header(&split.store(tx, flow)?);
                stored.extend_from_slice(&rest);
                (stored, packed, true)
            }
        })
    };
    let (req_headers, res_headers) = (prepared.request_headers, prepared.response_headers);
    let (request_body, rq_packed, rq_tokens) = store(prepared.request_body)?;
    let (response_body, rs_packed, rs_tokens) = store(prepared.response_body)?;
    let packed = i64::from(rq_packed)
        | (i64::from(rs_packed) << 1)
        | (i64::from(rq_tokens) << 2)
        | (i64::from(rs_tokens) << 3);
    tx.prepare_cached(
        "INSERT INTO exchanges(flow_id, side, direction, step, method, url, status, started_at,
            duration_us, peer, request_headers, request_body, request_truncated, response_headers,
            response_body, error, packed, request_bytes, response_bytes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    )?
    .execute(params![
        ex.flow_id,
        ex.side.as_str(),
        ex.direction.as_str(),
        ex.step,
        ex.method,
        ex.url,
        ex.status,
        ex.started_at_ms,
        ex.duration_us,
        ex.peer,
        req_headers,
        request_body,
        ex.request_truncated,
        res_headers,
        response_body,
        ex.error,
        packed,
        ex.request_body.len() as i64,
        ex.response_body.len() as i64,
    ])?;
    Ok(ExchangeSummary {
        id: tx.last_insert_rowid(),
        flow_id: ex.flow_id.clone(),
        side: ex.side,
        direction: ex.direction,
        step: ex.step.clone(),
        method: ex.method.clone(),
        url: ex.url.clone(),
        status: ex.status,
        started_at: ex.started_at_ms,
        duration_ms: ex.duration_us as f64 / 1000.0,
        peer: ex.peer.clone(),
        request_bytes: ex.request_body.len() as i64,
        response_bytes: ex.response_body.len() as i64,
        request_truncated: ex.request_truncated,
        error: ex.error.clone(),
    })
}

const SUMMARY_COLS: &str = "id, flow_id, side, direction, step, method, url, status, started_at,
    duration_us, peer, coalesce(request_bytes, length(request_body)),
    coalesce(response_bytes, length(response_body)), request_truncated, error";

fn summary_from_row(r: &Row) -> rusqlite::Result<ExchangeSummary> {
    let side: String = r.get(2)?;
    let direction: String = r.get(3)?;
    let duration_us: i64 = r.get(9)?;
    Ok(ExchangeSummary {
        id: r.get(0)?,
        flow_id: r.get(1)?,
        side: Side::parse(&side).unwrap_or(Side::Tool),
        direction: Direction::parse(&direction).unwrap_or(Direction::Inbound),
        step: r.get(4)?,
        method: r.get(5)?,
        url: r.get(6)?,
        status: r.get(7)?,
        started_at: r.get(8)?,
        duration_ms: duration_us as f64 / 1000.0,
        peer: r.get(10)?,
        request_bytes: r.get(11)?,
        response_bytes: r.get(12)?,
        request_truncated: r.get(13)?,
        error: r.get(14)?,
    })
}

/// Newest first; `before_id` pages backwards.
pub fn list(
    conn: &Connection,
    limit: u32,
    before_id: Option<i64>,
    flow_id: Option<&str>,
) -> Result<Vec<ExchangeSummary>> {
    // One statement per filter present: a `(?1 IS NULL OR col = ?1)` term hides the column's
    // index from SQLite's planner (opening one flow scanned every exchange: 137 ms at 100k
    // flows); each shape here has its index (`list_plans_use_the_indexes`).
    let sql = list_sql(before_id.is_some(), flow_id.is_some());
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![before_id, flow_id, limit], summary_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The statement [`list`] runs for the filters present (?1 before_id, ?2 flow_id, ?3 limit).
pub fn list_sql(before_id: bool, flow_id: bool) -> String {
    let filter = match (before_id, flow_id) {
        (false, false) => "",
        (true, false) => "WHERE id < ?1",
        (false, true) => "WHERE flow_id = ?2",
        (true, true) => "WHERE flow_id = ?2 AND id < ?1",
    };
    format!("SELECT {SUMMARY_COLS} FROM exchanges {filter} ORDER BY id DESC LIMIT ?3")
}

pub fn get(conn: &Connection, id: i64) -> Result<Exchange> {
    let sql = format!(
        "SELECT {SUMMARY_COLS}, request_headers, request_body, response_headers, response_body,
            packed
         FROM exchanges WHERE id = ?1"
    );
    let found = conn
        .query_row(&sql, [id], |r| {
            let summary = summary_from_row(r)?;
            let rq_h = super::header_rows::unpack(r.get_ref(15)?);
            let rq_b: Vec<u8> = r.get(16)?;
            let rs_h = super::header_rows::unpack(r.get_ref(17)?);
            let rs_b: Vec<u8> = r.get(18)?;
            let packed: i64 = r.get(19)?;
            Ok((summary, rq_h, rq_b, rs_h, rs_b, packed))
        })
        .optional()?;
    let (summary, rq_h, rq_b, rs_h, rs_b, packed) =
        found.ok_or_else(|| Error::NotFound(format!("exchange {id}")))?;
    let rq_b = read_body(
        conn,
        rq_b,
        packed & 1 != 0,
        packed & 4 != 0,
        summary.request_bytes,
    )?;
    let rs_b = read_body(
        conn,
        rs_b,
        packed & 2 != 0,
        packed & 8 != 0,
        summary.response_bytes,
    )?;
    let (request_body, request_body_base64) = body_text(&rq_b);
    let (response_body, response_body_base64) = body_text(&rs_b);
    Ok(Exchange {
        summary,
        request_headers: rq_h,
        request_body,
        request_body_base64,
        response_headers: rs_h,
        response_body,
        response_body_base64,
        masked: Vec::new(),
    })
}

/// A body as [`insert_prepared`] stored it, whole again.
fn read_body(
    conn: &Connection,
    stored: Vec<u8>,
    packed: bool,
    has_tokens: bool,
    size: i64,
) -> Result<Vec<u8>> {
    if !has_tokens {
        return unpack_body(stored, packed, size);
    }
    let (refs, rest) = super::tokens::Taken::read_header(&stored)?;
    let rest = unpack_body(rest.to_vec(), packed, size)?;
    super::tokens::put_back(conn, &refs, &rest)
}

/// A body as packed: a zstd frame when that is smaller by a worthwhile margin (HTML pages and
/// JSON shrink to a third; a bare token barely does and stays as it is). Returns whether packed.
fn pack_body(body: &[u8]) -> (std::borrow::Cow<'_, [u8]>, bool) {
    thread_local! {
        // Reused per thread: setting up a context costs more than packing a body.
        static PACKER: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
            const { std::cell::RefCell::new(None) };
    }
    if body.len() >= 256 {
        let z = PACKER.with_borrow_mut(|slot| {
            let c = match slot {
                Some(c) => c,
                None => slot.insert(zstd::bulk::Compressor::new(1)?),
            };
            c.compress(body)
        });
        if let Ok(z) = z {
            if z.len() + z.len() / 8 < body.len() {
                return (std::borrow::Cow::Owned(z), true);
            }
        }
    }
    (std::borrow::Cow::Borrowed(body), false)
}

fn unpack_body(stored: Vec<u8>, packed: bool, size: i64) -> Result<Vec<u8>> {
    if !packed {
        return Ok(stored);
    }
    zstd::bulk::decompress(&stored, usize::try_from(size).unwrap_or(0))
        .map_err(|e| Error::Internal(format!("a stored body cannot be unpacked: {e}")))
}

fn body_text(bytes: &[u8]) -> (String, Option<String>) {
    use base64::Engine;
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), None),
        Err(_) => (
            String::from_utf8_lossy(bytes).into_owned(),
            Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
        ),
    }
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM exchanges", [], |r| r.get(0))?)
}

#[cfg(test)]
mod packing {
    use super::*;

    #[test]
    fn bodies_pack_when_it_pays_and_come_back_whole() {
        let page =
            "<html><body><form method=post><input name=id_token value=x></form></body></html>"
                .repeat(20);
        let (stored, packed) = pack_body(page.as_bytes());
        assert!(
            packed && stored.len() * 3 < page.len(),
            "{} → {}",
            page.len(),
            stored.len()
        );
        let back = unpack_body(stored.into_owned(), true, page.len() as i64).unwrap();
        assert_eq!(back, page.as_bytes());
        // Short or incompressible bodies stay as they are.
        let (stored, packed) = pack_body(b"grant_type=client_credentials");
        assert!(!packed && stored.as_ref() == b"grant_type=client_credentials");
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        assert!(!pack_body(&noise).1);
        // A damaged frame is an error, not a panic or a wrong body.
        assert!(unpack_body(b"not zstd".to_vec(), true, 100).is_err());
    }
}
