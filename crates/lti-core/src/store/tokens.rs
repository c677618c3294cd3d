//! Compact JWTs are kept once. A launch carries its id_token four times over — in the
//! platform's auto-post page, in the form post the tool receives, and in each side's id_token
//! message — and at ~4 KB of base64 it is most of what a launch stores; base64 also hides the
//! JSON from compression. So every compact JWS of [`MIN_LEN`] bytes or more found in an
//! exchange body or a message row is taken out and stored in `tokens`, by digest, once per
//! store: decoded (header and payload JSON, signature bytes) and compressed with a fixed
//! dictionary of LTI claim names (`token_dict_v1.json`). The body keeps a short list of where each
//! token was ([`Taken`]); reading puts them back, byte for byte.
//!
//! `token_uses` says which flows use a token, so deleting a flow deletes the tokens no other
//! flow uses ([`forget_flow`]).

use std::ops::Range;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Shorter tokens are left in place: a reference and a row would cost more than they save.
pub const MIN_LEN: usize = 200;
/// A token never needs more (bounded by the request body limit it came in with).
const MAX_TOKEN: usize = 64 << 20;

/// A fixed raw-content zstd dictionary: the claim names, role and scope URIs and value shapes
/// LTI tokens share (generated once by `scripts/token-dict.py` from the claim catalog). It
/// never changes: a better one gets a new format byte.
/// Level -1: 5.4 µs instead of 8.4 for a real 4 KB token, 5–8 % larger (the level is not part
/// of the format: any level reads back).
static CODEC_V1: crate::dict_codec::DictCodec =
    crate::dict_codec::DictCodec::new(include_bytes!("token_dict_v1.json"), -1);

/// The statements on the capture path and in deletions, named for bench-store's query plans.
pub const BY_DIGEST_SQL: &str = "SELECT id FROM tokens WHERE digest = ?1";
pub const LOAD_SQL: &str = "SELECT body FROM tokens WHERE id = ?1";
pub const FORGET_USES_SQL: &str = "DELETE FROM token_uses WHERE flow_id = ?1 RETURNING token_id";
pub const FORGET_UNUSED_SQL: &str = "DELETE FROM tokens WHERE id = ?1
    AND NOT EXISTS (SELECT 1 FROM token_uses WHERE token_id = ?1)";

/// How a token row is kept (the first byte of `tokens.body`).
const FORM_TEXT: u8 = 0;
/// Header, payload and signature decoded from base64url, zstd with `token_dict_v1.json`.
const FORM_DECODED_V1: u8 = 1;

/// base64url's alphabet as a table: a token's ~4 KB are walked byte by byte twice per launch.
static B64URL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
        b += 1;
    }
    t
};

fn is_b64url(b: u8) -> bool {
    B64URL[b as usize]
}

/// Where compact JWS tokens (three base64url segments, the first a JSON object: `eyJ…`) of at
/// least [`MIN_LEN`] bytes lie in `body`.
pub fn find(body: &[u8]) -> Vec<Range<usize>> {
    // A byte-by-byte scan of every body was 5 % of the capture path's CPU; memmem skips by SIMD.
    static START: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"eyJ"));
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(off) = START.find(&body[i..]) {
        i += off;
        if i > 0 && is_b64url(body[i - 1]) {
            i += 1;
            continue;
        }
        let run = |from: usize| {
            from + body[from..]
                .iter()
                .position(|&b| !is_b64url(b))
                .unwrap_or(body.len() - from)
        };
        let h_end = run(i);
        let token = (body.get(h_end) == Some(&b'.'))
            .then(|| run(h_end + 1))
            .filter(|&p_end| p_end > h_end + 1 && body.get(p_end) == Some(&b'.'))
            .map(|p_end| run(p_end + 1));
        match token {
            Some(end) if end - i >= MIN_LEN => {
                found.push(i..end);
                i = end;
            }
            _ => i = h_end.max(i + 1),
        }
    }
    found
}

/// Where a token was taken out: its position in the rest, and its row in `tokens`.
pub type TokenRef = (usize, i64);

/// A body with its tokens taken out: the rest, and where each token was.
#[derive(Debug, Default, PartialEq)]
pub struct Taken {
    pub rest: Vec<u8>,
    pub refs: Vec<TokenRef>,
}

impl Taken {
    /// `refs` as stored before the rest: count, then (gap from the previous position, id), all
    /// LEB128 varints.
    pub fn header(&self) -> Vec<u8> {
        header(&self.refs)
    }

    /// Reads [`Taken::header`] from the front of `stored`; returns the refs and what follows.
    pub fn read_header(stored: &[u8]) -> Result<(Vec<TokenRef>, &[u8])> {
        let bad = || Error::Internal("a stored body's token list is damaged".into());
        let mut s = stored;
        let n = get_varint(&mut s).ok_or_else(bad)?;
        if n > s.len() as u64 {
            return Err(bad());
        }
        let mut refs = Vec::with_capacity(n as usize);
        let mut at = 0usize;
        for _ in 0..n {
            let gap = get_varint(&mut s).ok_or_else(bad)?;
            let id = get_varint(&mut s).ok_or_else(bad)?;
            at = usize::try_from(gap)
                .ok()
                .and_then(|g| at.checked_add(g))
                .ok_or_else(bad)?;
            refs.push((at, i64::try_from(id).map_err(|_| bad())?));
        }
        Ok((refs, s))
    }
}

/// [`Taken::header`] for refs alone.
pub fn header(refs: &[TokenRef]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + refs.len() * 5);
    put_varint(&mut out, refs.len() as u64);
    let mut at = 0;
    for &(pos, id) in refs {
        put_varint(&mut out, (pos - at) as u64);
        put_varint(&mut out, id as u64);
        at = pos;
    }
    out
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(s: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = s.split_first()?;
        *s = rest;
        v |= u64::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// A token found in a body, digested and encoded: all the CPU work, done before the writer
/// thread gets the row (it only looks the digest up and inserts).
#[derive(Debug)]
struct Found {
    /// Its position in the rest.
    at: usize,
    digest: [u8; 16],
    encoded: std::sync::Arc<Vec<u8>>,
}

/// A body with its tokens taken out and encoded, not yet stored ([`Split::store`]).
#[derive(Debug)]
pub struct Split {
    pub rest: Vec<u8>,
    found: Vec<Found>,
}

/// Takes the tokens out of `body` and encodes them; `None` when it holds none. No SQL: callers
/// run this off the writer thread.
pub fn split(body: &[u8]) -> Result<Option<Split>> {
    let ranges = find(body);
    if ranges.is_empty() {
        return Ok(None);
    }
    let mut split = Split {
        rest: Vec::with_capacity(body.len() - ranges.iter().map(|r| r.len()).sum::<usize>()),
        found: Vec::with_capacity(ranges.len()),
    };
    let mut at = 0;
    for r in ranges {
        split.rest.extend_from_slice(&body[at..r.start]);
        // find() only returns ASCII runs.
        let token = std::str::from_utf8(&body[r.clone()]).expect("base64url and dots");
        let (digest, encoded) = digest_and_encode(token)?;
        split.found.push(Found {
            at: split.rest.len(),
            digest,
            encoded,
        });
        at = r.end;
    }
    split.rest.extend_from_slice(&body[at..]);
    Ok(Some(split))
}

impl Split {
    /// Stores each token (once per store) with `flow_id` among its users; returns where each
    /// was, with its row.
    pub fn store(&self, tx: &Transaction, flow_id: &str) -> Result<Vec<TokenRef>> {
        self.found
            .iter()
            .map(|f| Ok((f.at, intern(tx, flow_id, f)?)))
            .collect()
    }
}

/// [`split`] and [`Split::store`] at once, in the writer (paths off the capture path).
pub fn take_out(tx: &Transaction, flow_id: &str, body: &[u8]) -> Result<Option<Taken>> {
    let Some(split) = split(body)? else {
        return Ok(None);
    };
    let refs = split.store(tx, flow_id)?;
    Ok(Some(Taken {
        rest: split.rest,
        refs,
    }))
}

/// Puts the tokens back into `rest` at the positions of `refs`.
pub fn put_back(conn: &Connection, refs: &[TokenRef], rest: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(rest.len() + refs.len() * 2048);
    let mut at = 0;
    for &(pos, id) in refs {
        let chunk = rest
            .get(at..pos)
            .ok_or_else(|| Error::Internal("a stored token lies past its body".into()))?;
        out.extend_from_slice(chunk);
        out.extend_from_slice(load(conn, id)?.as_bytes());
        at = pos;
    }
    out.extend_from_slice(&rest[at..]);
    Ok(out)
}

/// Tokens digested and encoded lately, by their text: a launch's id_token is met twice on one
/// request (its message, then the exchange's body), and the second time costs a comparison
/// instead of ~14 µs.
type Recent = std::collections::VecDeque<(std::sync::Arc<str>, [u8; 16], std::sync::Arc<Vec<u8>>)>;
static RECENT: std::sync::Mutex<Recent> = std::sync::Mutex::new(Recent::new());
const RECENT_KEPT: usize = 16;

fn digest_and_encode(token: &str) -> Result<([u8; 16], std::sync::Arc<Vec<u8>>)> {
    let recent = |q: &Recent| {
        q.iter()
            .find(|(t, ..)| t.as_ref() == token)
            .map(|(_, d, e)| (*d, e.clone()))
    };
    if let Some(hit) = recent(&RECENT.lock().unwrap_or_else(|p| p.into_inner())) {
        return Ok(hit);
    }
    let (d, e) = (digest(token), std::sync::Arc::new(encode(token)?));
    let mut q = RECENT.lock().unwrap_or_else(|p| p.into_inner());
    if q.len() == RECENT_KEPT {
        q.pop_front();
    }
    q.push_back((token.into(), d, e.clone()));
    Ok((d, e))
}

fn digest(token: &str) -> [u8; 16] {
    let d = Sha256::digest(token.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&d[..16]);
    out
}

/// What the writer already knows inside its current transaction: the row of each token it
/// looked up or stored, and which flows' uses it wrote. A launch meets its id_token twice in
/// one job (the message row, then the exchange's body): the second time needs no statement.
/// Only the writer thread turns it on ([`memo_begin`]); it is emptied whenever what it knows
/// may no longer hold — a rolled back savepoint or job, a deleted flow, the transaction's end.
#[derive(Default)]
struct Memo {
    active: bool,
    ids: Vec<([u8; 16], i64)>,
    uses: Vec<(Box<str>, i64)>,
}

thread_local! {
    static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
}
const MEMO_KEPT: usize = 64;

/// The writer began a transaction: remember rows until [`memo_end`].
pub fn memo_begin() {
    MEMO.with_borrow_mut(|m| {
        *m = Memo {
            active: true,
            ..Memo::default()
        }
    });
}

/// Something was rolled back or deleted: forget what was remembered.
pub fn memo_forget() {
    MEMO.with_borrow_mut(|m| {
        m.ids.clear();
        m.uses.clear();
    });
}

/// The transaction ended (committed or not).
pub fn memo_end() {
    MEMO.with_borrow_mut(|m| *m = Memo::default());
}

/// The row of a found token (stored now if it is new) with `flow_id` among its users.
fn intern(tx: &Transaction, flow_id: &str, found: &Found) -> Result<i64> {
    let remembered = MEMO.with_borrow(|m| {
        let id = m
            .ids
            .iter()
            .find(|(d, _)| *d == found.digest)
            .map(|e| e.1)?;
        Some((id, m.uses.iter().any(|(f, i)| *i == id && &**f == flow_id)))
    });
    let id = match remembered {
        Some((id, true)) => return Ok(id),
        Some((id, false)) => id,
        None => {
            let known: Option<i64> = tx
                .prepare_cached(BY_DIGEST_SQL)?
                .query_row([&found.digest[..]], |r| r.get(0))
                .optional()?;
            match known {
                Some(id) => id,
                None => {
                    tx.prepare_cached("INSERT INTO tokens(digest, body) VALUES (?1, ?2)")?
                        .execute(params![&found.digest[..], found.encoded.as_slice()])?;
                    tx.last_insert_rowid()
                }
            }
        }
    };
    tx.prepare_cached("INSERT OR IGNORE INTO token_uses(flow_id, token_id) VALUES (?1, ?2)")?
        .execute(params![flow_id, id])?;
    MEMO.with_borrow_mut(|m| {
        if !m.active {
            return;
        }
        if m.ids.len() >= MEMO_KEPT || m.uses.len() >= MEMO_KEPT {
            m.ids.clear();
            m.uses.clear();
        }
        if !m.ids.iter().any(|(d, _)| *d == found.digest) {
            m.ids.push((found.digest, id));
        }
        m.uses.push((flow_id.into(), id));
    });
    Ok(id)
}

fn load(conn: &Connection, id: i64) -> Result<String> {
    let body: Option<Vec<u8>> = conn
        .prepare_cached(LOAD_SQL)?
        .query_row([id], |r| r.get(0))
        .optional()?;
    decode(&body.ok_or_else(|| Error::Internal(format!("stored token {id} is missing")))?)
}

/// Deletes `flow_id`'s uses, and the tokens no other flow uses.
pub fn forget_flow(tx: &Transaction, flow_id: &str) -> Result<()> {
    memo_forget();
    let ids: Vec<i64> = tx
        .prepare_cached(FORGET_USES_SQL)?
        .query_map([flow_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        tx.prepare_cached(FORGET_UNUSED_SQL)?.execute([id])?;
    }
    Ok(())
}

/// The three segments decoded, when re-encoding gives the token back exactly. The strict
/// decoder refuses padding and stray bits in the last character, so whatever it decodes
/// re-encodes to the same text (checked in tests and the jws fuzz target, not here: encoding
/// again was a third of a token's cost on the capture path); anything else is kept as text.
fn decoded_parts(token: &str) -> Option<[Vec<u8>; 3]> {
    let mut parts = token.split('.');
    let mut out: [Vec<u8>; 3] = Default::default();
    for slot in &mut out {
        *slot = lti_protocol::b64::decode(parts.next()?).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    debug_assert!(
        out.iter()
            .map(|p| lti_protocol::b64::encode(p))
            .collect::<Vec<_>>()
            .join(".")
            == token
    );
    Some(out)
}

/// `tokens.body` for a token.
pub fn encode(token: &str) -> Result<Vec<u8>> {
    let Some([header, payload, signature]) = decoded_parts(token) else {
        let mut out = vec![FORM_TEXT];
        out.extend_from_slice(token.as_bytes());
        return Ok(out);
    };
    let mut plain = Vec::with_capacity(token.len());
    put_varint(&mut plain, header.len() as u64);
    plain.extend_from_slice(&header);
    put_varint(&mut plain, payload.len() as u64);
    plain.extend_from_slice(&payload);
    plain.extend_from_slice(&signature);
    let frame = CODEC_V1
        .pack(&plain)
        .map_err(|e| Error::Internal(format!("compress a token: {e}")))?;
    let mut out = Vec::with_capacity(frame.len() + 1);
    out.push(FORM_DECODED_V1);
    out.extend_from_slice(&frame);
    Ok(out)
}

/// A token from its `tokens.body`.
pub fn decode(stored: &[u8]) -> Result<String> {
    let bad = |why: String| Error::Internal(format!("a stored token cannot be read: {why}"));
    match stored.split_first() {
        Some((&FORM_TEXT, text)) => {
            String::from_utf8(text.to_vec()).map_err(|e| bad(e.to_string()))
        }
        Some((&FORM_DECODED_V1, frame)) => {
            let plain = CODEC_V1.unpack(frame, MAX_TOKEN).map_err(bad)?;
            let mut s = plain.as_slice();
            let part = |s: &mut &[u8]| -> Option<Vec<u8>> {
                let n = usize::try_from(get_varint(s)?).ok()?;
                let (p, rest) = (s.get(..n)?, s.get(n..)?);
                *s = rest;
                Some(p.to_vec())
            };
            let header = part(&mut s).ok_or_else(|| bad("header".into()))?;
            let payload = part(&mut s).ok_or_else(|| bad("payload".into()))?;
            Ok(format!(
                "{}.{}.{}",
                lti_protocol::b64::encode(&header),
                lti_protocol::b64::encode(&payload),
                lti_protocol::b64::encode(s)
            ))
        }
        _ => Err(bad("unknown form".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(payload: &str, sig_len: usize) -> String {
        let sig: Vec<u8> = (0..sig_len).map(|i| (i * 37 % 251) as u8).collect();
        format!(
            "{}.{}.{}",
            lti_protocol::b64::encode(br#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#),
            lti_protocol::b64::encode(payload.as_bytes()),
            lti_protocol::b64::encode(&sig)
        )
    }

    fn claims() -> String {
        format!(
            r#"{{"iss":"https://canvas.instructure.com","aud":"10000000000001","sub":"a6d5c443-1f51-4783-ba1a-7686ffe3b54a","nonce":"{}","https://purl.imsglobal.org/spec/lti/claim/message_type":"LtiResourceLinkRequest","https://purl.imsglobal.org/spec/lti/claim/roles":["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]}}"#,
            "n".repeat(40)
        )
    }

    #[test]
    fn finds_tokens_in_forms_pages_and_json() {
        let t = token(&claims(), 256);
        let form = format!("id_token={t}&state=abc");
        assert_eq!(find(form.as_bytes()), vec![9..9 + t.len()]);
        let page = format!(r#"<input type="hidden" name="JWT" value="{t}"><input value="{t}">"#);
        let found = find(page.as_bytes());
        assert_eq!(found.len(), 2);
        assert!(found
            .iter()
            .all(|r| &page.as_bytes()[r.clone()] == t.as_bytes()));
        // alg none: an empty signature segment is still a token.
        let unsigned = format!("{}.", &t[..t.rfind('.').unwrap()]);
        assert_eq!(find(unsigned.as_bytes()), vec![0..unsigned.len()]);
        // Not tokens: short ones, two segments, "eyJ" inside a longer base64 run.
        assert!(find(token("{}", 8).as_bytes()).is_empty());
        let two = &t[..t.rfind('.').unwrap()];
        assert!(find(two.as_bytes()).is_empty());
        assert!(find(format!("x{t}").as_bytes()).is_empty());
        assert!(find(b"eyJ.eyJ..").is_empty());
    }

    #[test]
    fn tokens_come_back_byte_for_byte_and_shrink() {
        let t = token(&claims(), 256);
        let stored = encode(&t).unwrap();
        assert_eq!(stored[0], FORM_DECODED_V1);
        assert!(stored.len() * 2 < t.len(), "{} → {}", t.len(), stored.len());
        assert_eq!(decode(&stored).unwrap(), t);
        // Segments that are not strict base64url stay text: a bad character, stray bits in a
        // last character ("AB" is one byte with its 4 spare bits set: "AA" is canonical),
        // padding, a fourth segment.
        let head = &t[..t.rfind('.').unwrap()];
        for bad in [
            format!("{}.!!!.x", &t[..20]),
            format!("{head}.AB"),
            format!("{head}.AA=="),
            format!("{t}.AA"),
        ] {
            assert_eq!(encode(&bad).unwrap()[0], FORM_TEXT, "{bad}");
            assert_eq!(decode(&encode(&bad).unwrap()).unwrap(), bad);
        }
        let canonical = format!("{head}.AA");
        assert_eq!(encode(&canonical).unwrap()[0], FORM_DECODED_V1);
        assert_eq!(decode(&encode(&canonical).unwrap()).unwrap(), canonical);
        // Damaged rows are errors, not panics.
        assert!(decode(&[FORM_DECODED_V1, 1, 2, 3]).is_err());
        assert!(decode(&[9]).is_err());
        assert!(decode(&[]).is_err());
    }

    #[test]
    fn headers_round_trip_and_damage_is_an_error() {
        let taken = Taken {
            rest: b"id_token=&state=s".to_vec(),
            refs: vec![(9, 7), (9, 300), (17, 1 << 40)],
        };
        let mut stored = taken.header();
        stored.extend_from_slice(&taken.rest);
        let (refs, rest) = Taken::read_header(&stored).unwrap();
        assert_eq!(refs, taken.refs);
        assert_eq!(rest, taken.rest);
        assert!(Taken::read_header(&[5]).is_err());
        assert!(Taken::read_header(&[1, 0xff, 0xff, 0xff]).is_err());
        assert!(Taken::read_header(&[0xff; 12]).is_err());
    }

    fn store() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Connection::open(dir.path().join("t.db")).unwrap();
        crate::store::migrate::run(&mut c).unwrap();
        (dir, c)
    }

    #[test]
    fn one_row_per_token_and_deleting_a_flow_keeps_what_others_use() {
        let (_dir, mut c) = store();
        let t = token(&claims(), 256);
        let body = format!("id_token={t}&state=abc");
        let tx = c.transaction().unwrap();
        let a = take_out(&tx, "flow-a", body.as_bytes()).unwrap().unwrap();
        let b = take_out(&tx, "flow-b", format!("{{\"raw\":\"{t}\"}}").as_bytes())
            .unwrap()
            .unwrap();
        assert_eq!(a.rest, b"id_token=&state=abc");
        assert_eq!(a.refs[0].1, b.refs[0].1, "one row for the same token");
        assert_eq!(put_back(&tx, &a.refs, &a.rest).unwrap(), body.as_bytes());
        assert!(take_out(&tx, "flow-a", b"no tokens here")
            .unwrap()
            .is_none());
        let count = |tx: &Transaction| -> i64 {
            tx.query_row("SELECT count(*) FROM tokens", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(count(&tx), 1);
        forget_flow(&tx, "flow-a").unwrap();
        assert_eq!(count(&tx), 1, "flow-b still uses it");
        assert_eq!(put_back(&tx, &b.refs, &b.rest).unwrap().len(), t.len() + 10);
        forget_flow(&tx, "flow-b").unwrap();
        assert_eq!(count(&tx), 0);
        assert!(
            put_back(&tx, &b.refs, &b.rest).is_err(),
            "a missing row is an error"
        );
        assert!(put_back(&tx, &[(99, 1)], b"short").is_err());
    }

    /// The writer's memo never names a row that a rollback or a deletion took away.
    #[test]
    fn the_writers_memo_forgets_rolled_back_and_deleted_rows() {
        let (_dir, mut c) = store();
        let t = token(&claims(), 256);
        let body = format!("id_token={t}");
        let count =
            |tx: &Transaction, sql: &str| -> i64 { tx.query_row(sql, [], |r| r.get(0)).unwrap() };
        let tx = c.transaction().unwrap();
        memo_begin();
        // Stored in a job that then fails: rolled back, and the memo forgets it.
        let failed = crate::store::savepoint(&tx, "job", |tx| {
            take_out(tx, "flow-a", body.as_bytes())?;
            Err::<(), _>(Error::Internal("the job fails after storing".into()))
        });
        assert!(failed.is_err());
        assert_eq!(count(&tx, "SELECT count(*) FROM tokens"), 0);
        let a = crate::store::savepoint(&tx, "job", |tx| take_out(tx, "flow-a", body.as_bytes()))
            .unwrap()
            .unwrap();
        assert_eq!(put_back(&tx, &a.refs, &a.rest).unwrap(), body.as_bytes());
        // Met again in the same flow and in another: one row, each flow's use written once.
        let again = take_out(&tx, "flow-a", body.as_bytes()).unwrap().unwrap();
        let b = take_out(&tx, "flow-b", body.as_bytes()).unwrap().unwrap();
        assert_eq!((again.refs[0].1, b.refs[0].1), (a.refs[0].1, a.refs[0].1));
        assert_eq!(count(&tx, "SELECT count(*) FROM token_uses"), 2);
        // Deleted with its flows: the memo forgets it, the next meeting stores it again.
        forget_flow(&tx, "flow-a").unwrap();
        forget_flow(&tx, "flow-b").unwrap();
        let c2 = take_out(&tx, "flow-c", body.as_bytes()).unwrap().unwrap();
        assert_eq!(put_back(&tx, &c2.refs, &c2.rest).unwrap(), body.as_bytes());
        assert_eq!(count(&tx, "SELECT count(*) FROM tokens"), 1);
        memo_end();
    }
}

#[cfg(test)]
mod cost {
    /// What storing a token costs on the request's task (release: `cargo test --release -p
    /// lti-core store::tokens::cost -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn per_token() {
        // A real signed launch (ltijs's, from the real-world fixtures when present: `LTI_FIXTURES`
        // or ../shared, as the fuzz seeds find them; the dictionary's own claims line would
        // compress unrealistically well), else a stand-in.
        let fixture = std::env::var_os("LTI_FIXTURES")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../../shared/fixtures/real-world")
            })
            .join("signed/ltijs_valid.json");
        let fixture = fixture.display();
        let demo = match std::fs::read_to_string(fixture.to_string()) {
            Ok(text) => {
                let r = super::find(text.as_bytes()).into_iter().next().unwrap();
                text[r].to_string()
            }
            Err(_) => {
                println!("(no {fixture}: a stand-in token)");
                let claims = include_str!("token_dict_v1.json").lines().last().unwrap();
                let sig: Vec<u8> = (0..256u32)
                    .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
                    .collect();
                format!(
                    "{}.{}.{}",
                    lti_protocol::b64::encode(br#"{"alg":"RS256","typ":"JWT","kid":"k"}"#),
                    lti_protocol::b64::encode(claims.replace("a", "b").as_bytes()),
                    lti_protocol::b64::encode(&sig)
                )
            }
        };
        println!("a {}-byte token", demo.len());
        let n = 2000;
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(super::digest(&demo));
        }
        println!("digest {:?}", t.elapsed() / n);
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(super::decoded_parts(&demo));
        }
        println!("decode parts {:?}", t.elapsed() / n);
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(super::encode(&demo).unwrap());
        }
        println!(
            "encode {:?} → {} bytes",
            t.elapsed() / n,
            super::encode(&demo).unwrap().len()
        );
        let body = format!("id_token={demo}&state=abc");
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(super::split(body.as_bytes()).unwrap());
        }
        println!(
            "split a form body, its token met before {:?}",
            t.elapsed() / n
        );
        let headers: Vec<crate::store::Header> = (0..6)
            .map(|i| crate::store::Header {
                name: format!("x-header-{i}"),
                value: "text/html; charset=utf-8".into(),
            })
            .collect();
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(crate::store::header_rows::pack(&headers).unwrap());
        }
        println!("pack 6 headers {:?}", t.elapsed() / n);
        let stored = super::encode(&demo).unwrap();
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(super::decode(&stored).unwrap());
        }
        println!("decode {:?}", t.elapsed() / n);
    }
}
