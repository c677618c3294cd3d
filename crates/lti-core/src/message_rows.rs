//! How a message is kept in `messages.report_json`: the findings without what the rule catalog
//! already says (title, spec citation, usual severity) and without empty fields. A launch has
//! ~60 findings; this keeps its row near a third of the full form, which is most of what the
//! capture path writes. Reading puts the catalog text back, so the front doors see whole
//! [`Finding`]s — and old rows gain improved catalog text.
//!
//! Rows written before this format (whole findings under `report`) are still read.
//!
//! The JSON is stored packed ([`pack`]): a zstd frame compressed with a fixed dictionary of
//! typical rows (`message_dict_v1.json`: the keys, rule ids and check messages every launch
//! repeats), behind a two-byte tag naming the dictionary. A launch's rows shrink to about a
//! third; TEXT rows (older stores) are read as they are ([`Packed`]). The dictionary of a tag
//! never changes — a better one gets a new tag.
//!
//! A row that holds a JWT (an id_token message's `raw`) keeps it in the store's `tokens` table
//! instead ([`crate::store::tokens`]: the exchange it came in holds the same token): tag `T1`,
//! the list of where the tokens were, then the rest packed as above. Reading such a row needs
//! the connection ([`Packed::json`]).

use std::borrow::Cow;

use lti_protocol::finding::{Counts, Finding, Outcome, Report, Severity, Verdict};
use lti_protocol::rules;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::messages::{Param, StoredMessage};

/// A row as read back.
#[derive(Deserialize)]
struct Row {
    kind: String,
    step: String,
    #[serde(default)]
    raw: Option<String>,
    #[serde(default)]
    params: Option<Vec<Param>>,
    verdict: Verdict,
    counts: Counts,
    #[serde(default)]
    message_type: Option<String>,
    validated_at: i64,
    /// Present in this format only (the old one has `report`).
    findings: Vec<Compact>,
    #[serde(default, rename = "ks")]
    key_snapshot: Option<String>,
}

/// One finding as read back; catalog fields only when they differed from the catalog.
#[derive(Deserialize)]
struct Compact {
    #[serde(rename = "r")]
    rule_id: String,
    #[serde(rename = "o")]
    outcome: Outcome,
    #[serde(rename = "m")]
    message: String,
    #[serde(rename = "s", default)]
    severity: Option<Severity>,
    #[serde(rename = "p", default)]
    path: Option<String>,
    #[serde(rename = "e", default)]
    expected: Option<String>,
    #[serde(rename = "a", default)]
    actual: Option<String>,
    #[serde(rename = "h", default)]
    hint: Option<String>,
    #[serde(rename = "t", default)]
    title: Option<String>,
    #[serde(rename = "ss", default)]
    spec_section: Option<String>,
    #[serde(rename = "su", default)]
    spec_url: Option<String>,
}

/// [`Row`] as written: borrowed from the message, nothing copied.
#[derive(Serialize)]
struct RowRef<'a> {
    kind: &'a str,
    step: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<&'a [Param]>,
    verdict: Verdict,
    counts: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_type: Option<&'a str>,
    validated_at: i64,
    findings: Vec<CompactRef<'a>>,
    #[serde(rename = "ks", skip_serializing_if = "Option::is_none")]
    key_snapshot: Option<&'a str>,
}

/// [`Compact`] as written.
#[derive(Serialize)]
struct CompactRef<'a> {
    r: &'a str,
    o: Outcome,
    m: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<Severity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    e: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    a: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    h: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    t: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    su: Option<&'a str>,
}

fn differs<'a>(value: &'a str, catalog: Option<&str>) -> Option<&'a str> {
    (Some(value) != catalog).then_some(value)
}

fn compact(f: &Finding) -> CompactRef<'_> {
    let rule = rules::get(&f.rule_id);
    CompactRef {
        r: &f.rule_id,
        o: f.outcome,
        m: &f.message,
        s: (Some(f.severity) != rule.map(|r| r.severity)).then_some(f.severity),
        p: f.path.as_deref(),
        e: f.expected.as_deref(),
        a: f.actual.as_deref(),
        h: f.hint.as_deref(),
        t: differs(&f.title, rule.map(|r| r.title)),
        ss: differs(&f.spec_section, rule.map(|r| r.spec_section)),
        su: differs(&f.spec_url, rule.map(|r| r.spec_url)),
    }
}

fn whole(c: Compact) -> Finding {
    let rule = rules::get(&c.rule_id);
    let text = |own: Option<String>, catalog: Option<&'static str>| -> Cow<'static, str> {
        match (own, catalog) {
            (Some(s), _) => Cow::Owned(s),
            (None, Some(s)) => Cow::Borrowed(s),
            (None, None) => Cow::Borrowed(""),
        }
    };
    Finding {
        rule_id: match rule {
            Some(r) => Cow::Borrowed(r.id),
            None => Cow::Owned(c.rule_id),
        },
        severity: c
            .severity
            .or(rule.map(|r| r.severity))
            .unwrap_or(Severity::Info),
        outcome: c.outcome,
        title: text(c.title, rule.map(|r| r.title)),
        message: c.message,
        path: c.path,
        expected: c.expected,
        actual: c.actual,
        spec_section: text(c.spec_section, rule.map(|r| r.spec_section)),
        spec_url: text(c.spec_url, rule.map(|r| r.spec_url)),
        hint: c.hint,
    }
}

pub fn encode(m: &StoredMessage) -> Result<String> {
    let row = RowRef {
        kind: &m.kind,
        step: &m.step,
        raw: m.raw.as_deref(),
        params: m.params.as_deref(),
        verdict: m.verdict,
        counts: m.counts,
        message_type: m.message_type.as_deref(),
        validated_at: m.validated_at,
        findings: m.report.findings.iter().map(compact).collect(),
        key_snapshot: m.key_snapshot.as_deref(),
    };
    serde_json::to_string(&row).map_err(|e| Error::Internal(e.to_string()))
}

pub fn decode(json: &str) -> Result<StoredMessage> {
    match serde_json::from_str::<Row>(json) {
        Ok(row) => Ok(StoredMessage {
            kind: row.kind,
            step: row.step,
            raw: row.raw,
            params: row.params,
            report: Report {
                findings: row.findings.into_iter().map(whole).collect(),
            },
            verdict: row.verdict,
            counts: row.counts,
            message_type: row.message_type,
            validated_at: row.validated_at,
            key_snapshot: row.key_snapshot,
        }),
        // The first format: whole findings, catalog text possibly blanked.
        Err(_) => {
            let mut m: StoredMessage =
                serde_json::from_str(json).map_err(|e| Error::Internal(e.to_string()))?;
            for f in &mut m.report.findings {
                if let Some(rule) = rules::get(&f.rule_id) {
                    if f.title.is_empty() {
                        f.title = Cow::Borrowed(rule.title);
                    }
                    if f.spec_section.is_empty() {
                        f.spec_section = Cow::Borrowed(rule.spec_section);
                    }
                    if f.spec_url.is_empty() {
                        f.spec_url = Cow::Borrowed(rule.spec_url);
                    }
                }
            }
            Ok(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(findings: Vec<Finding>) -> StoredMessage {
        let report = Report { findings };
        StoredMessage {
            kind: "id_token".into(),
            step: "launch".into(),
            raw: Some("a.b.c".into()),
            params: None,
            verdict: report.verdict(),
            counts: report.counts(),
            report,
            message_type: Some("LtiResourceLinkRequest".into()),
            validated_at: 1_700_000_000,
            key_snapshot: Some("0123456789abcdef0123456789abcdef".into()),
        }
    }

    #[test]
    fn round_trip_keeps_every_field_and_is_smaller() {
        let mut lowered = Finding::fail("idtoken.aud_extra", "untrusted extra audience")
            .severity(Severity::Warning);
        lowered.title = Cow::Owned("A custom title".into());
        let findings = vec![
            Finding::pass("idtoken.aud", "ok")
                .path("aud")
                .expected("x")
                .actual("x"),
            Finding::fail("idtoken.exp", "expired").hint("check the clock <b>"),
            lowered,
        ];
        let m = message(findings.clone());
        let json = encode(&m).unwrap();
        let back = decode(&json).unwrap();
        assert_eq!(back.report.findings, findings);
        assert_eq!(back.raw, m.raw);
        assert_eq!(back.verdict, m.verdict);
        let full = serde_json::to_string(&m).unwrap();
        assert!(
            json.len() * 2 < full.len(),
            "{} vs {}",
            json.len(),
            full.len()
        );
    }

    #[test]
    fn rows_of_the_first_format_are_read() {
        let mut m = message(vec![Finding::pass("idtoken.aud", "ok")]);
        m.report.findings[0].title = Cow::Borrowed("");
        let old = serde_json::to_string(&m).unwrap();
        let back = decode(&old).unwrap();
        assert_eq!(
            back.report.findings[0].title,
            rules::get("idtoken.aud").unwrap().title
        );
    }
}

/// Tag of a packed row: `Z` and the dictionary's version.
const TAG_V1: [u8; 2] = *b"Z1";
/// Tag of a row whose tokens are kept in `tokens`: the token list, then a `Z1` row.
const TAG_TOKENS_V1: [u8; 2] = *b"T1";
static CODEC_V1: crate::dict_codec::DictCodec =
    crate::dict_codec::DictCodec::new(include_bytes!("message_dict_v1.json"), 1);
/// A row never needs more (a message is bounded by the body limit of the request it came in).
const MAX_UNPACKED: usize = 64 << 20;

/// The bytes stored for a row's JSON.
pub fn pack(json: &str) -> Result<Vec<u8>> {
    let frame = CODEC_V1
        .pack(json.as_bytes())
        .map_err(|e| Error::Internal(format!("compress a message: {e}")))?;
    let mut out = Vec::with_capacity(frame.len() + 2);
    out.extend_from_slice(&TAG_V1);
    out.extend_from_slice(&frame);
    Ok(out)
}

/// A row packed before the writer thread gets it: its JWTs taken out and encoded, the rest
/// packed; only their rows are left to find or insert ([`PreparedRow::store`]).
pub enum PreparedRow {
    Whole(Vec<u8>),
    Split(crate::store::tokens::Split, Vec<u8>),
}

pub fn prepare(json: &str) -> Result<PreparedRow> {
    let Some(split) = crate::store::tokens::split(json.as_bytes())? else {
        return Ok(PreparedRow::Whole(pack(json)?));
    };
    // Only ASCII runs were taken out: the rest is still UTF-8.
    let rest = std::str::from_utf8(&split.rest).expect("UTF-8 around ASCII tokens");
    let rest = pack(rest)?;
    Ok(PreparedRow::Split(split, rest))
}

impl PreparedRow {
    /// The bytes to store for a row of `flow_id`, in its transaction: the JWTs kept once, in
    /// the store's `tokens` table.
    pub fn store(self, tx: &rusqlite::Transaction, flow_id: &str) -> Result<Vec<u8>> {
        match self {
            PreparedRow::Whole(bytes) => Ok(bytes),
            PreparedRow::Split(split, rest) => {
                let mut out = TAG_TOKENS_V1.to_vec();
                out.extend_from_slice(&crate::store::tokens::header(&split.store(tx, flow_id)?));
                out.extend_from_slice(&rest);
                Ok(out)
            }
        }
    }
}

/// [`prepare`] and [`PreparedRow::store`] at once (rewrites off the capture path).
pub fn pack_in(tx: &rusqlite::Transaction, flow_id: &str, json: &str) -> Result<Vec<u8>> {
    prepare(json)?.store(tx, flow_id)
}

/// A row's JSON as read from `messages.report_json`: packed (BLOB) or plain (TEXT, older rows).
/// A row that keeps its tokens in `tokens` needs the connection to be read: [`Packed::json`].
pub struct Packed(Stored);

enum Stored {
    Json(String),
    WithTokens(Vec<u8>),
}

impl Packed {
    /// The row's JSON, its tokens put back.
    pub fn json(self, conn: &rusqlite::Connection) -> Result<String> {
        match self.0 {
            Stored::Json(json) => Ok(json),
            Stored::WithTokens(stored) => {
                let (refs, rest) = crate::store::tokens::Taken::read_header(&stored)?;
                let rest = unpack(rest).map_err(Error::Internal)?;
                let whole = crate::store::tokens::put_back(conn, &refs, rest.as_bytes())?;
                String::from_utf8(whole).map_err(|e| Error::Internal(e.to_string()))
            }
        }
    }
}

impl rusqlite::types::FromSql for Packed {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        use rusqlite::types::{FromSqlError, ValueRef};
        match v {
            ValueRef::Text(t) => Ok(Packed(Stored::Json(
                String::from_utf8_lossy(t).into_owned(),
            ))),
            ValueRef::Blob(b) => match b.strip_prefix(&TAG_TOKENS_V1) {
                Some(rest) => Ok(Packed(Stored::WithTokens(rest.to_vec()))),
                None => unpack(b)
                    .map(|json| Packed(Stored::Json(json)))
                    .map_err(|e| FromSqlError::Other(e.into())),
            },
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

fn unpack(b: &[u8]) -> std::result::Result<String, String> {
    let Some(frame) = b.strip_prefix(&TAG_V1) else {
        return Err(format!("unknown message packing {:?}", b.get(..2)));
    };
    String::from_utf8(CODEC_V1.unpack(frame, MAX_UNPACKED)?).map_err(|e| e.to_string())
}

#[cfg(test)]
mod packing {
    use super::*;

    #[test]
    fn packed_rows_round_trip_and_shrink() {
        let json = include_str!("message_dict_v1.json")
            .lines()
            .last()
            .unwrap()
            .replace("localhost", "lms.example.edu");
        let packed = pack(&json).unwrap();
        assert!(
            packed.len() * 3 < json.len(),
            "{} → {}",
            json.len(),
            packed.len()
        );
        assert_eq!(unpack(&packed).unwrap(), json);
    }

    #[test]
    fn text_rows_and_damaged_blobs() {
        use rusqlite::types::{FromSql, ValueRef};
        let c = rusqlite::Connection::open_in_memory().unwrap();
        assert_eq!(
            Packed::column_result(ValueRef::Text(b"{}"))
                .unwrap()
                .json(&c)
                .unwrap(),
            "{}"
        );
        assert!(Packed::column_result(ValueRef::Blob(b"Z1garbage")).is_err());
        assert!(Packed::column_result(ValueRef::Blob(b"??")).is_err());
    }
}
