//! Search and filters over every stored flow, in the store (issue 11, item 5): a full-text index
//! (SQLite FTS5, `message_search`) with one document per message, and a query language shared by
//! the Timeline's filter box and `lti-inspector flows`:
//!
//! - free text: every term must match (a prefix of a word) in the user, context, platform,
//!   message type, issuer, client, deployment, failing rules, claim values, parameters, URLs
//!   or finding messages of one message of the flow;
//! - `user:` `context:` `platform:` `type:` `iss:` `client:` `deployment:` — the term in that
//!   field only; `rule:jwt.signature` (or a prefix, `rule:idtoken`) — a failing rule;
//! - `verdict:invalid` / `is:invalid`, `side:imported`, `id:` (a prefix), `has:errors`, `has:warnings`,
//!   `since:` / `until:` (RFC 3339 or a date, `2026-12-01`) — on the flow;
//! - a leading `-` negates a term (`-verdict:valid`, `-canvas` after a positive term).
//!
//! Text never reaches FTS5's own syntax: each term is quoted, so `"`, `*`, `NEAR` or an
//! unbalanced quote are searched for as text, not parsed.

use std::collections::HashSet;

use rusqlite::{params_from_iter, Connection, Transaction};
use serde_json::{Map, Value};

use crate::error::Result;
use crate::messages::StoredMessage;
use crate::store::flows::{self, FlowSummary};

/// The indexed fields of one message.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SearchDoc {
    pub user: String,
    pub context: String,
    pub platform: String,
    pub message_type: String,
    pub iss: String,
    pub client: String,
    pub deployment: String,
    /// Failing rule ids, each as one token ([`rule_token`]).
    pub rules: String,
    /// `verdict<v> side<s>`: see [`state_tokens`].
    pub state: String,
    pub body: String,
}

/// The `state` column: the message's verdict and its flow's side, one token each.
pub fn state_tokens(verdict: &str, side: &str) -> String {
    format!("verdict{} side{}", rule_token(verdict), rule_token(side))
}

/// The body is capped: a hostile token with megabytes of claims must not bloat the index.
const BODY_MAX: usize = 32 * 1024;

/// A rule id as one index token: `idtoken.nonce_replay` → `idtokenxnoncexreplay` (the
/// tokenizer would split it at `.` and `_`, and `idtoken.nonce` would then match it too).
pub fn rule_token(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                'x'
            }
        })
        .collect()
}

fn fact(facts: &Map<String, Value>, key: &str) -> String {
    facts
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn push(body: &mut String, s: &str) {
    if body.len() + s.len() + 1 > BODY_MAX {
        return;
    }
    body.push_str(s);
    body.push('\n');
}

fn string_leaves(v: &Value, body: &mut String) {
    match v {
        // A vocabulary URI (roles, context types) is a dozen tokens of which one says
        // anything: `…/membership#Learner` is indexed as `membership Learner`.
        Value::String(s) if s.starts_with("http://purl.imsglobal.org/vocab/") => {
            let tail = s.rsplit('/').next().unwrap_or(s);
            push(body, &tail.replace('#', " "));
        }
        Value::String(s) => push(body, s),
        Value::Array(a) => a.iter().for_each(|x| string_leaves(x, body)),
        Value::Object(o) => o.values().for_each(|x| string_leaves(x, body)),
        Value::Number(n) => push(body, &n.to_string()),
        _ => {}
    }
}

/// The document of `msg`, with its flow's `facts` (the summary after this message) and title.
pub fn doc_of(msg: &StoredMessage, facts: &Map<String, Value>, title: &str) -> SearchDoc {
    use lti_protocol::finding::Outcome;
    let payload = msg
        .raw
        .as_deref()
        .and_then(|raw| lti_protocol::jws::Jws::parse(raw).ok())
        .map(|j| j.payload);
    let claim = |k: &str| {
        payload
            .as_ref()
            .and_then(|p| p.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let param = |k: &str| {
        msg.params
            .as_ref()
            .and_then(|ps| ps.iter().find(|p| p.name == k))
            .map(|p| p.value.clone())
    };
    let client = payload
        .as_ref()
        .and_then(lti_protocol::claims::client_of)
        .or_else(|| param("client_id"))
        .unwrap_or_else(|| fact(facts, "client_id"));
    let mut body = String::new();
    push(&mut body, title);
    if let Some(p) = &payload {
        string_leaves(&Value::Object(p.clone()), &mut body);
    }
    for p in msg.params.iter().flatten() {
        push(&mut body, &p.value);
    }
    let mut rules = Vec::new();
    for f in &msg.report.findings {
        if f.outcome == Outcome::Fail {
            rules.push(rule_token(&f.rule_id));
            push(&mut body, &f.message);
        }
    }
    SearchDoc {
        user: fact(facts, "user"),
        context: fact(facts, "context"),
        platform: fact(facts, "platform"),
        message_type: msg
            .message_type
            .clone()
            .unwrap_or_else(|| fact(facts, "message_type")),
        iss: claim("iss")
            .or_else(|| param("iss"))
            .unwrap_or_else(|| fact(facts, "issuer")),
        client,
        deployment: fact(facts, "deployment_id"),
        rules: rules.join(" "),
        state: String::new(),
        body,
    }
}

impl SearchDoc {
    /// Fills the flow facts this message did not carry itself (the writer knows the flow's
    /// merged summary; the message was encoded before).
    pub fn with_facts(
        mut self,
        facts: &Map<String, Value>,
        title: Option<&str>,
        state: String,
    ) -> Self {
        self.state = state;
        let fill = |field: &mut String, key: &str| {
            if field.is_empty() {
                *field = fact(facts, key);
            }
        };
        fill(&mut self.user, "user");
        fill(&mut self.context, "context");
        fill(&mut self.platform, "platform");
        fill(&mut self.message_type, "message_type");
        fill(&mut self.iss, "issuer");
        fill(&mut self.client, "client_id");
        fill(&mut self.deployment, "deployment_id");
        if let Some(t) = title {
            push(&mut self.body, t);
        }
        self
    }
}

/// Indexes message `id`.
pub fn insert(tx: &Transaction, id: i64, d: &SearchDoc) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO message_search(rowid, user, context, platform, type, iss, client, deployment, rules, state, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(rusqlite::params![
        id,
        d.user,
        d.context,
        d.platform,
        d.message_type,
        d.iss,
        d.client,
        d.deployment,
        d.rules,
        d.state,
        d.body
    ])?;
    Ok(())
}

const WATERMARK: &str = "search_indexed_upto";

/// What a message's search document is made from: (message id, its JSON, the flow's summary
/// JSON, title, the message's verdict, the flow's side).
pub type DocRow = (
    i64,
    crate::message_rows::Packed,
    String,
    String,
    String,
    String,
);

/// The columns of a [`DocRow`]; callers add their WHERE.
pub const DOC_ROW_SELECT: &str =
    "SELECT m.id, m.report_json, f.summary_json, f.title, m.verdict, f.side
     FROM messages m JOIN flows f ON f.id = m.flow_id";

/// Reads a [`DocRow`] (the message unpacked but for its tokens: [`Packed::json`]).
///
/// [`Packed::json`]: crate::message_rows::Packed::json
pub fn doc_row(r: &rusqlite::Row) -> rusqlite::Result<DocRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

/// Indexes up to `batch` messages stored since the last run (or ever, on a store from before
/// the index), oldest first, each with its flow's facts as they are now. Returns how many.
pub fn index_new(tx: &Transaction, batch: u32) -> Result<usize> {
    let upto = watermark(tx)?;
    let rows: Vec<DocRow> = tx
        .prepare_cached(&format!(
            "{DOC_ROW_SELECT} WHERE m.id > ?1 ORDER BY m.id LIMIT ?2"
        ))?
        .query_map(rusqlite::params![upto, batch], doc_row)?
        .collect::<rusqlite::Result<_>>()?;
    let Some(last) = rows.last().map(|r| r.0) else {
        return Ok(0);
    };
    let n = rows.len();
    for (id, json, summary, title, verdict, side) in rows {
        // An unreadable row is skipped, not fatal: its flow stays findable by its other messages.
        let Ok(msg) = json.json(tx).and_then(|j| crate::message_rows::decode(&j)) else {
            continue;
        };
        let facts: Map<String, Value> = serde_json::from_str(&summary).unwrap_or_default();
        let doc = doc_of(&msg, &Map::new(), "").with_facts(
            &facts,
            Some(&title),
            state_tokens(&verdict, &side),
        );
        insert(tx, id, &doc)?;
    }
    tx.execute(
        "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        rusqlite::params![WATERMARK, last.to_string()],
    )?;
    Ok(n)
}

/// Empties the index and forgets how far it got: the next run indexes every message again (a
/// store from before the index is in this state; benches and tests rebuild with it).
pub fn reset(tx: &Transaction) -> Result<()> {
    tx.execute_batch("INSERT INTO message_search(message_search) VALUES ('delete-all');")?;
    tx.execute("DELETE FROM settings WHERE key = ?1", [WATERMARK])?;
    Ok(())
}

/// The highest message id indexed so far (0: none).
fn watermark(c: &Connection) -> Result<i64> {
    use rusqlite::OptionalExtension;
    Ok(c.query_row(
        "SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?1",
        [WATERMARK],
        |r| r.get(0),
    )
    .optional()?
    .unwrap_or(0))
}

/// (the newest message id, the highest indexed): what waits is the difference.
fn backlog(c: &Connection) -> Result<(i64, i64)> {
    let newest: Option<i64> = c.query_row("SELECT max(id) FROM messages", [], |r| r.get(0))?;
    Ok((newest.unwrap_or(0), watermark(c)?))
}

/// Indexes everything not indexed yet, batch by batch (each its own write, so captures
/// interleave): before a search, so it sees the newest flows. Nothing waiting: a read, no write.
pub async fn index_all_pending(store: &crate::store::Store) -> Result<usize> {
    let (newest, upto) = store.read(backlog).await?;
    if newest <= upto {
        return Ok(0);
    }
    let mut total = 0;
    loop {
        let n = store.write(|tx| index_new(tx, 2000)).await?;
        total += n;
        if n < 2000 {
            return Ok(total);
        }
    }
}

/// Messages the indexer lets wait while captures keep arriving; past it, it indexes anyway
/// (a search indexes what waits first, so this bounds its wait too).
const PENDING_WHILE_BUSY: i64 = 100_000;

/// Indexes what was stored when captures pause (nothing new since the last look, a quarter
/// second before) or when the backlog passes [`PENDING_WHILE_BUSY`]; until `stop`. Indexing
/// while launches pour in would take CPU and disk from them: captures come first.
pub fn index_in_background(
    store: crate::store::Store,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        let mut last_newest: Option<i64> = None;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_millis(250)) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            let state = store.read(backlog).await;
            let Ok((newest, upto)) = state else { continue };
            let busy = last_newest.is_some_and(|n| newest > n);
            last_newest = Some(newest);
            if newest <= upto || (busy && newest - upto < PENDING_WHILE_BUSY) {
                continue;
            }
            match index_all_pending(&store).await {
                Ok(n) if n > 1000 => tracing::info!(messages = n, "search index: messages indexed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "search index: could not index new messages"),
            }
        }
    });
}

/// A parsed filter-box query.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FlowQuery {
    /// The FTS5 expression (terms already quoted), when any term needs the index.
    pub fts: Option<String>,
    pub verdict: Option<(bool, String)>,
    pub side: Option<(bool, String)>,
    /// A flow id prefix (`id:01a2`).
    pub id: Option<String>,
    pub has_errors: bool,
    pub has_warnings: bool,
    /// Unix milliseconds, inclusive / exclusive.
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

impl FlowQuery {
    pub fn is_empty(&self) -> bool {
        self == &FlowQuery::default()
    }
}

/// Quotes a term for FTS5: the text between double quotes, `"` doubled, as a prefix.
fn quoted(term: &str) -> Option<String> {
    let clean: String = term
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .replace('"', "\"\"");
    // A term of punctuation only has no token: FTS5 would reject the empty phrase.
    if !clean.chars().any(char::is_alphanumeric) {
        return None;
    }
    Some(format!("\"{clean}\"*"))
}

/// A time as Unix ms: RFC 3339, a date (`2026-12-01`, UTC midnight) or Unix seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(n) = s.parse::<i64>() {
        return n.checked_mul(1000);
    }
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok();
    }
    let mut parts = s.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    let date = time::Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()?;
    date.midnight()
        .assume_utc()
        .unix_timestamp()
        .checked_mul(1000)
}

/// Parses the filter box's language (see the module docs). Unknown `key:` prefixes are free text.
pub fn parse(q: &str) -> FlowQuery {
    let mut out = FlowQuery::default();
    let mut positive = Vec::new();
    let mut negative = Vec::new();
    for raw in q.split_whitespace() {
        let (neg, term) = match raw.strip_prefix('-') {
            Some(t) if !t.is_empty() => (true, t),
            _ => (false, raw),
        };
        let (key, value) = match term.split_once(':') {
            Some((k, v)) if !v.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic()) => {
                (k.to_ascii_lowercase(), v)
            }
            _ => (String::new(), term),
        };
        let column = match key.as_str() {
            "verdict" | "is" => {
                out.verdict = Some((neg, value.to_ascii_lowercase()));
                continue;
            }
            "side" => {
                out.side = Some((neg, value.to_ascii_lowercase()));
                continue;
            }
            "id" => {
                out.id = Some(value.to_ascii_lowercase());
                continue;
            }
            "has" => {
                let v = value.to_ascii_lowercase();
                if v.starts_with("err") {
                    out.has_errors = true;
                } else if v.starts_with("warn") {
                    out.has_warnings = true;
                }
                continue;
            }
            "since" | "after" => {
                out.since_ms = parse_time(value);
                continue;
            }
            "until" | "before" => {
                out.until_ms = parse_time(value);
                continue;
            }
            "rule" => {
                let token = rule_token(value);
                // A whole id is one token; a prefix (`rule:idtoken`) matches every rule under it.
                let expr = if value.ends_with('.') || !value.contains('.') {
                    format!("rules : {}*", token.trim_end_matches('x'))
                } else {
                    format!("rules : {token}")
                };
                if neg { &mut negative } else { &mut positive }.push(expr);
                continue;
            }
            "user" | "context" | "platform" | "iss" | "client" | "deployment" => Some(key.clone()),
            "type" => Some("type".to_string()),
            _ => None,
        };
        let text = if column.is_some() { value } else { term };
        let Some(q) = quoted(text) else { continue };
        let expr = match column {
            Some(c) => format!("{c} : {q}"),
            None => q,
        };
        if neg { &mut negative } else { &mut positive }.push(expr);
    }
    if !positive.is_empty() {
        // A positive verdict or side narrows the matches inside the index; the flow's own
        // columns still decide (a message's verdict can be settled later).
        for (filter, key) in [(&out.verdict, "verdict"), (&out.side, "side")] {
            if let Some((false, v)) = filter {
                positive.push(format!("state : {key}{}*", rule_token(v)));
            }
        }
        let mut e = positive.join(" AND ");
        // FTS5's NOT needs something to subtract from: a lone negative term is dropped.
        for n in negative {
            e = format!("({e}) NOT {n}");
        }
        out.fts = Some(e);
    }
    out
}

/// SQL conditions on `flows f` for the flow-level filters, with their parameters.
fn flow_conditions(q: &FlowQuery) -> (Vec<String>, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value as V;
    let mut cond = Vec::new();
    let mut args = Vec::new();
    if let Some((neg, v)) = &q.verdict {
        cond.push(format!(
            "f.verdict {} ?",
            if *neg { "NOT LIKE" } else { "LIKE" }
        ));
        args.push(V::Text(format!("{v}%")));
    }
    if let Some((neg, v)) = &q.side {
        cond.push(format!(
            "f.side {} ?",
            if *neg { "NOT LIKE" } else { "LIKE" }
        ));
        args.push(V::Text(format!("{v}%")));
    }
    if let Some(id) = &q.id {
        // Ids are hex: a prefix range keeps the primary key's index usable.
        cond.push("f.id >= ? AND f.id < ?".into());
        args.push(V::Text(id.clone()));
        args.push(V::Text(format!("{id}\u{10ffff}")));
    }
    if q.has_errors {
        cond.push("CAST(json_extract(f.summary_json, '$.errors') AS INTEGER) > 0".into());
    }
    if q.has_warnings {
        cond.push("CAST(json_extract(f.summary_json, '$.warnings') AS INTEGER) > 0".into());
    }
    if let Some(t) = q.since_ms {
        cond.push("f.started_at >= ?".into());
        args.push(V::Integer(t));
    }
    if let Some(t) = q.until_ms {
        cond.push("f.started_at < ?".into());
        args.push(V::Integer(t));
    }
    (cond, args)
}

/// One page of flows matching `q`, with the cursor for the next page. Without text terms:
/// newest first by start time (`before` = a start time). With text: newest match first
/// (`before` = the `seq` of the last flow of the previous page).
pub fn search(
    conn: &Connection,
    q: &FlowQuery,
    limit: u32,
    before: Option<i64>,
) -> Result<Vec<FlowSummary>> {
    let (mut cond, mut args) = flow_conditions(q);
    let Some(fts) = &q.fts else {
        if let Some(b) = before {
            cond.push("f.started_at < ?".into());
            args.push(rusqlite::types::Value::Integer(b));
        }
        let filter = if cond.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", cond.join(" AND "))
        };
        args.push(rusqlite::types::Value::Integer(limit as i64));
        let sql = format!(
            "SELECT {} FROM flows f {filter} ORDER BY f.started_at DESC LIMIT ?",
            flows::COLS
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), flows::from_row)?;
        return Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    };
    // Matches stream newest first (FTS5 walks its rowids backwards), joined to their flows and
    // filtered there, in SQLite; repeated flows are skipped until the page is full.
    let sql = format!(
        "SELECT s.rowid, {} FROM message_search s JOIN messages m ON m.id = s.rowid
         JOIN flows f ON f.id = m.flow_id
         WHERE message_search MATCH ? AND s.rowid < ?{} ORDER BY s.rowid DESC",
        flows::COLS,
        cond.iter().map(|c| format!(" AND {c}")).collect::<String>()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut all: Vec<rusqlite::types::Value> =
        vec![fts.clone().into(), before.unwrap_or(i64::MAX).into()];
    all.extend(args);
    let mut rows = stmt.query(params_from_iter(all))?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(1)?;
        if !seen.insert(id) {
            continue;
        }
        let mut f = flows::from_row_at(r, 1)?;
        f.seq = Some(r.get(0)?);
        out.push(f);
        if out.len() >= limit as usize {
            break;
        }
    }
    Ok(out)
}

/// The match statement [`search`] runs without flow filters (?1 the FTS5 expression, ?2 the
/// cursor), for query plans.
pub fn search_sql() -> String {
    format!(
        "SELECT s.rowid, {} FROM message_search s JOIN messages m ON m.id = s.rowid
         JOIN flows f ON f.id = m.flow_id
         WHERE message_search MATCH ?1 AND s.rowid < ?2 ORDER BY s.rowid DESC",
        flows::COLS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_quoted_and_fields_select_columns() {
        let q = parse("jane  user:Ada rule:jwt.signature verdict:invalid");
        assert_eq!(
            q.fts.as_deref(),
            Some(
                r#""jane"* AND user : "Ada"* AND rules : jwtxsignature AND state : verdictinvalid*"#
            )
        );
        assert_eq!(q.verdict, Some((false, "invalid".into())));
        assert_eq!(
            parse("ada verdict:invalid").fts.as_deref(),
            Some(r#""ada"* AND state : verdictinvalid*"#)
        );
        assert_eq!(
            parse("rule:idtoken").fts.as_deref(),
            Some("rules : idtoken*")
        );
        assert_eq!(
            parse("rule:idtoken.").fts.as_deref(),
            Some("rules : idtoken*")
        );
    }

    #[test]
    fn fts_syntax_in_the_box_is_text() {
        let q = parse(r#"NEAR(a b) "unbalanced foo* x:"#);
        let fts = q.fts.unwrap();
        assert!(fts.contains(r#""NEAR(a"*"#), "{fts}");
        assert!(fts.contains(r#""""unbalanced"*"#), "{fts}");
        assert!(fts.contains(r#""foo*"*"#), "{fts}");
        // Punctuation alone has no token: dropped rather than sent as an empty phrase.
        assert_eq!(parse(r#"" * -"#).fts, None);
    }

    #[test]
    fn negation_needs_a_positive_term_and_filters_negate() {
        assert_eq!(parse("-canvas").fts, None);
        assert_eq!(
            parse("moodle -canvas").fts.as_deref(),
            Some(r#"("moodle"*) NOT "canvas"*"#)
        );
        assert_eq!(
            parse("-verdict:valid").verdict,
            Some((true, "valid".into()))
        );
    }

    #[test]
    fn times_and_flags() {
        let q = parse("since:2026-12-01 until:2026-12-02T00:00:00Z has:errors side:imported");
        assert_eq!(q.since_ms, Some(1_796_083_200_000));
        assert_eq!(q.until_ms, Some(1_796_169_600_000));
        assert!(q.has_errors && q.fts.is_none());
        assert_eq!(q.side, Some((false, "imported".into())));
        assert_eq!(parse_time("1700000000"), Some(1_700_000_000_000));
        assert_eq!(parse_time("not a time"), None);
        assert!(parse("").is_empty());
    }
}
