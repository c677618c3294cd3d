//! Re-check (issue 11, item 2): validate a stored launch again — as of the moment it was
//! captured (default), now, or a chosen time — against the registrations and keys as they are
//! now, and say which findings changed. The answer to "I registered the platform since; is the
//! launch good now?" and "was this token already expired when it arrived?".
//!
//! What depended on the launch's moment and is not kept (the nonce the tool sent, the state
//! cookie, whether the nonce had been seen) is carried over from the stored report as
//! recorded, so it does not show up as a change. Nothing is written unless asked (`save`).

use lti_core::error::{Error, Result};
use lti_core::messages::{self, StoredMessage};
use lti_protocol::finding::{Outcome, Report, Verdict};
use lti_protocol::jws::Jws;
use lti_protocol::validate::{self, IdTokenContext, LoginView};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::capture::platform_keys::{self, KeySource};
use crate::ToolSide;

#[derive(Debug, Clone, Deserialize, TS)]
pub struct RecheckArgs {
    pub flow_id: String,
    /// `captured` (default: the time the message was validated at when stored), `now`, or a
    /// time (RFC 3339, a date, or Unix seconds).
    #[serde(default)]
    #[ts(optional)]
    pub at: Option<String>,
    /// Store the new report as the message's (the flow's verdict follows).
    #[serde(default)]
    #[ts(optional)]
    pub save: Option<bool>,
    /// `now` (default): the registration and keys as they are today; `recorded`: as they were
    /// when the message was checked (its key snapshot).
    #[serde(default)]
    #[ts(optional)]
    pub keys: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct FindingChange {
    pub rule_id: String,
    pub title: String,
    /// pass | fail | skipped, or None when the rule was not in that report.
    #[ts(optional = nullable)]
    pub before: Option<Outcome>,
    #[ts(optional = nullable)]
    pub before_message: Option<String>,
    #[ts(optional = nullable)]
    pub after: Option<Outcome>,
    #[ts(optional = nullable)]
    pub after_message: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Recheck {
    pub flow_id: String,
    #[ts(type = "number")]
    pub message_id: i64,
    /// Unix seconds the stored report was validated as of, and the new one.
    #[ts(type = "number")]
    pub stored_at: i64,
    #[ts(type = "number")]
    pub checked_at: i64,
    pub stored_verdict: Verdict,
    pub verdict: Verdict,
    /// The new report, whole (findings carried over from the launch are marked in their message).
    pub report: Report,
    pub changes: Vec<FindingChange>,
    /// Which registration and keys were used, and what could not be re-checked.
    pub notes: Vec<String>,
    pub saved: bool,
    /// Whether the message kept the keys and registration it was checked with (a re-check
    /// "as recorded" is possible).
    pub has_snapshot: bool,
}

/// The moment to validate at, from `at` (see [`RecheckArgs::at`]).
pub fn moment(at: Option<&str>, captured: i64, now: i64) -> Result<i64> {
    match at.map(str::trim) {
        None | Some("") | Some("captured") => Ok(captured),
        Some("now") => Ok(now),
        Some(t) => lti_core::search::parse_time(t)
            .map(|ms| ms.div_euclid(1000))
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "{t:?} is not a time: use captured, now, RFC 3339, a date (2026-12-01) or Unix seconds"
                ))
            }),
    }
}

/// Rules whose check needs the launch's moment: the nonce the tool sent, whether it was seen
/// before, the state cookie. A re-check cannot make them; the stored outcome stands.
const LAUNCH_MOMENT_RULES: &[&str] = &[
    "idtoken.nonce",
    "idtoken.nonce_replay",
    "response.state",
    "lti11.nonce",
];

/// Findings the new check could not make (skipped now, or needing the launch's moment, or not
/// the validator's at all: the capture's own) are taken from the stored report, marked as such.
pub fn carry_over(fresh: &mut Report, stored: &Report) {
    for old in &stored.findings {
        if old.outcome == Outcome::Skipped {
            continue;
        }
        let moment = LAUNCH_MOMENT_RULES.contains(&old.rule_id.as_ref());
        match fresh.findings.iter_mut().find(|f| f.rule_id == old.rule_id) {
            Some(f) if f.outcome == Outcome::Skipped || moment => {
                *f = old.clone();
                f.message = format!("{} (as recorded at the launch)", old.message);
            }
            Some(_) => {}
            None => {
                let mut f = old.clone();
                f.message = format!("{} (as recorded at the launch)", old.message);
                fresh.findings.push(f);
            }
        }
    }
}

/// What differs between two reports, rule by rule (outcome or message), in the new one's order.
pub fn changes(before: &Report, after: &Report) -> Vec<FindingChange> {
    let mut out = Vec::new();
    let old = |id: &str| before.findings.iter().find(|f| f.rule_id == id);
    for f in &after.findings {
        let b = old(&f.rule_id);
        if b.is_some_and(|b| b.outcome == f.outcome && strip(&b.message) == strip(&f.message)) {
            continue;
        }
        out.push(FindingChange {
            rule_id: f.rule_id.to_string(),
            title: f.title.to_string(),
            before: b.map(|b| b.outcome),
            before_message: b.map(|b| b.message.clone()),
            after: Some(f.outcome),
            after_message: Some(f.message.clone()),
        });
    }
    for b in &before.findings {
        // A check skipped then and not made now changed nothing.
        if b.outcome != Outcome::Skipped && !after.findings.iter().any(|f| f.rule_id == b.rule_id) {
            out.push(FindingChange {
                rule_id: b.rule_id.to_string(),
                title: b.title.to_string(),
                before: Some(b.outcome),
                before_message: Some(b.message.clone()),
                after: None,
                after_message: None,
            });
        }
    }
    out
}

fn strip(m: &str) -> &str {
    m.strip_suffix(" (as recorded at the launch)").unwrap_or(m)
}

pub async fn recheck(tool: &ToolSide, args: RecheckArgs) -> Result<Recheck> {
    let span = tracing::info_span!("recheck", flow = %args.flow_id);
    tracing::Instrument::instrument(recheck_inner(tool, args), span).await
}

async fn recheck_inner(tool: &ToolSide, args: RecheckArgs) -> Result<Recheck> {
    let fid = args.flow_id.clone();
    let lti11 = tool.store().read(move |c| lti11_launch(c, &fid)).await?;
    if let Some(found) = lti11 {
        return recheck_lti11(tool, args, found).await;
    }
    let fid = args.flow_id.clone();
    let (message_id, stored, login) = tool
        .store()
        .read(move |c| {
            let (id, msg) = messages::latest_id_token(c, &fid)?.ok_or_else(|| {
                Error::NotFound(format!("flow {fid} has no launch (id_token) to re-check"))
            })?;
            let login: Option<String> = c
                .query_row(
                    "SELECT report_json FROM messages WHERE flow_id = ?1 AND kind = 'login' ORDER BY id LIMIT 1",
                    [&fid],
                    |r| r.get::<_, lti_core::message_rows::Packed>(0),
                )
                .ok()
                .and_then(|j| j.json(c).ok());
            Ok((id, msg, login))
        })
        .await?;
    let raw = stored
        .raw
        .clone()
        .ok_or_else(|| Error::BadRequest("the stored launch has no token to re-check".into()))?;
    let now = lti_core::clock::now_secs();
    let at = moment(args.at.as_deref(), stored.validated_at, now)?;
    let mut notes = Vec::new();

    let parsed = Jws::parse(&raw).ok();
    let claim = |k: &str| {
        parsed
            .as_ref()
            .and_then(|j| j.payload.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let iss = claim("iss").unwrap_or_default();
    let client = parsed
        .as_ref()
        .and_then(|j| lti_protocol::claims::client_of(&j.payload));
    let recorded = match args.keys.as_deref().unwrap_or("now") {
        "now" => false,
        "recorded" => true,
        other => {
            return Err(Error::BadRequest(format!(
                "keys is {other:?}: `now` (as registered today) or `recorded` (as at the launch)"
            )))
        }
    };
    let (registration, jwks) = if recorded {
        let digest = stored.key_snapshot.clone().ok_or_else(|| {
            Error::BadRequest("this launch kept no snapshot of its keys and registration (it was stored before snapshots were kept, or checked with neither): re-check with the keys as they are now".into())
        })?;
        let d = digest.clone();
        let snap = tool
            .store()
            .read(move |c| lti_core::key_snapshots::get(c, &d))
            .await?
            .ok_or_else(|| Error::NotFound(format!("key snapshot {digest}")))?;
        notes.push(match (&snap.registration, &snap.registration_name) {
            (Some(r), name) => format!(
                "Registration as it was at the launch: {} ({}, client {}).",
                name.as_deref().unwrap_or("unnamed"),
                r.issuer,
                r.client_id
            ),
            (None, _) => "No registration matched at the launch: audience and deployment are not checked against one.".into(),
        });
        notes.push(format!(
            "Keys as they were at the launch: {} (kept {}).",
            snap.source,
            rfc3339(snap.taken_at / 1000)
        ));
        (snap.registration, snap.jwks.map(std::sync::Arc::new))
    } else {
        let platforms = tool
            .platform_cache()
            .all(tool.store())
            .await
            .unwrap_or_default();
        let registration = crate::registrations::find_in(&platforms, &iss, client.as_deref());
        match &registration {
            Some(p) => notes.push(format!(
                "Registration as it is now: {} ({}, client {}).",
                p.name, p.issuer, p.client_id
            )),
            None => notes.push(format!(
                "No platform is registered now with issuer {iss:?}: audience and deployment are not checked against a registration."
            )),
        }
        let profile = lti_protocol::lms::detect(&iss, None);
        let jwks_url = crate::capture::jwks_url(registration.as_ref(), profile.as_ref());
        let kid = parsed.as_ref().and_then(|j| j.kid().map(str::to_string));
        let (jwks, source) = platform_keys::resolve(
            tool.core(),
            &args.flow_id,
            registration.as_ref().and_then(|p| p.public_jwks.as_ref()),
            jwks_url.as_deref(),
            kid.as_deref(),
        )
        .await;
        notes.push(match source {
            KeySource::Pasted => "Keys: the key pasted into the registration.".into(),
            KeySource::Cached { url } | KeySource::Fetched { url } => format!(
                "Keys: the JWKS at {url} as it is now (a key rotated since the launch would be missing)."
            ),
            KeySource::Failed { url, problem } => {
                format!("Keys: fetching {url} failed ({problem}); the signature is not checked.")
            }
            KeySource::None => {
                "Keys: none known for this issuer; the signature is not checked.".into()
            }
        });
        (
            registration.as_ref().map(crate::capture::registration_view),
            jwks,
        )
    };
    let login_view = login
        .and_then(|json| lti_core::message_rows::decode(&json).ok())
        .and_then(|m| m.params)
        .map(|ps| {
            LoginView::from_params(
                &ps.into_iter()
                    .map(|p| (p.name, p.value))
                    .collect::<Vec<_>>(),
            )
        });
    let lti11_secret =
        crate::lti11::consumers::migration_secret(tool, parsed.as_ref().map(|j| &j.payload)).await;
    let ctx = IdTokenContext {
        now: at,
        policy: tool.policy(),
        registration,
        jwks: jwks.as_deref(),
        expected_nonce: None,
        nonce_seen_before: None,
        login: login_view,
        state: None,
        dl_request_data: None,
        skip_explain: true,
        lti11_secret,
    };
    let fresh = match &parsed {
        Some(j) => validate::id_token_parsed(j, &ctx),
        None => validate::id_token(&raw, &ctx),
    };
    let mut report = fresh.report;
    carry_over(&mut report, &stored.report);
    notes.push(
        "Not re-checked (taken as recorded): the nonce the tool sent, the state cookie and nonce replay — the launch's moment is not kept."
            .into(),
    );
    finish(tool, args, message_id, stored, report, notes, at).await
}

/// What every re-check ends with: the notes on time, the changes, the optional save.
async fn finish(
    tool: &ToolSide,
    args: RecheckArgs,
    message_id: i64,
    stored: StoredMessage,
    report: Report,
    mut notes: Vec<String>,
    at: i64,
) -> Result<Recheck> {
    if at != stored.validated_at {
        notes.push(format!(
            "Validated as of {} instead of {} (the time the launch was checked when stored).",
            rfc3339(at),
            rfc3339(stored.validated_at)
        ));
    }
    let verdict = report.verdict();
    let diff = changes(&stored.report, &report);

    let saved = args.save.unwrap_or(false);
    if saved {
        let msg = StoredMessage {
            verdict,
            counts: report.counts(),
            report: report.clone(),
            validated_at: at,
            ..stored.clone()
        };
        let json = lti_core::message_rows::encode(&msg)?;
        let fid = args.flow_id.clone();
        tool.store()
            .write(move |tx| {
                messages::replace_message(tx, message_id, &json, verdict)?;
                messages::recompute_verdict(tx, &fid)
            })
            .await?;
        messages::announce(tool.core(), &args.flow_id).await;
    }
    tracing::info!(changes = diff.len(), saved, "re-checked");
    Ok(Recheck {
        flow_id: args.flow_id,
        message_id,
        stored_at: stored.validated_at,
        checked_at: at,
        stored_verdict: stored.verdict,
        verdict,
        report,
        changes: diff,
        notes,
        saved,
        has_snapshot: stored.key_snapshot.is_some(),
    })
}

/// A flow's (latest) LTI 1.1 launch: its message and the URL it arrived at (None when the
/// flow has none; the URL is None for a pasted form body).
fn lti11_launch(
    c: &rusqlite::Connection,
    flow_id: &str,
) -> Result<Option<(i64, StoredMessage, Option<String>)>> {
    let row: Option<(i64, lti_core::message_rows::Packed)> = c
        .query_row(
            "SELECT id, report_json FROM messages WHERE flow_id = ?1 AND kind = 'lti11_launch' ORDER BY id DESC LIMIT 1",
            [flow_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, json)) = row else {
        return Ok(None);
    };
    let url: Option<String> = c
        .query_row(
            "SELECT url FROM exchanges WHERE flow_id = ?1 AND step = 'lti11_launch' ORDER BY id LIMIT 1",
            [flow_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(Some((
        id,
        lti_core::message_rows::decode(&json.json(c)?)?,
        url,
    )))
}

/// Re-checks a 1.1 launch with the consumer's secret as it is now (registered since?).
async fn recheck_lti11(
    tool: &ToolSide,
    args: RecheckArgs,
    (message_id, stored, url): (i64, StoredMessage, Option<String>),
) -> Result<Recheck> {
    use lti_protocol::lti11::launch::{validate_launch, LaunchContext};
    use lti_protocol::lti11::oauth1::SignedRequest;
    if args.keys.as_deref() == Some("recorded") {
        return Err(Error::BadRequest(
            "an LTI 1.1 launch is signed with a shared secret, and secrets are never kept beside a launch: re-check it with the consumer's secret as it is now".into(),
        ));
    }
    let now = lti_core::clock::now_secs();
    let at = moment(args.at.as_deref(), stored.validated_at, now)?;
    let params: Vec<(String, String)> = stored
        .params
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.name, p.value))
        .collect();
    let key = validate::param(&params, "oauth_consumer_key")
        .unwrap_or_default()
        .to_string();
    let (consumer, secret) = crate::lti11::consumers::lookup(tool, &key).await?;
    let mut notes = vec![match (&consumer, &secret) {
        (Some(c), Some(_)) => format!(
            "Consumer as registered now: {} (key {key}), with its secret.",
            c.name
        ),
        (Some(c), None) => format!(
            "Consumer {} (key {key}) is registered without a secret: the signature is not checked.",
            c.name
        ),
        (None, _) => {
            format!("No consumer with key {key:?} is registered now: the signature is not checked.")
        }
    }];
    if url.is_none() {
        notes.push(
            "The launch's URL is not known (a pasted form body): the signature is not checked."
                .into(),
        );
    }
    // The recorded URL holds the query too; every parameter is in `params` already.
    let checked_url = url
        .clone()
        .unwrap_or_else(|| "http://launch-url-unknown.invalid/".into());
    let mut report = validate_launch(
        &SignedRequest {
            http_method: "POST",
            url: &checked_url,
            alternative_urls: &[],
            query: &[],
            body: &params,
        },
        &LaunchContext {
            now: at,
            secret: secret
                .as_ref()
                .filter(|_| url.is_some())
                .map(|s| s.expose().as_str()),
            consumer_registered: consumer.is_some(),
            nonce_seen_before: None,
        },
    )
    .report;
    carry_over(&mut report, &stored.report);
    notes
        .push("Not re-checked (taken as recorded): whether the nonce had been seen before.".into());
    finish(tool, args, message_id, stored, report, notes, at).await
}

fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| secs.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lti_protocol::finding::Finding;

    fn report(fs: &[(&str, Outcome, &str)]) -> Report {
        let mut r = Report::new();
        for (id, o, m) in fs {
            r.push(Finding::from_rule(id, *o, *m));
        }
        r
    }

    #[test]
    fn the_moment_is_captured_now_or_a_time() {
        assert_eq!(moment(None, 100, 200).unwrap(), 100);
        assert_eq!(moment(Some("captured"), 100, 200).unwrap(), 100);
        assert_eq!(moment(Some("now"), 100, 200).unwrap(), 200);
        assert_eq!(moment(Some("2026-12-01"), 100, 200).unwrap(), 1_796_083_200);
        assert!(moment(Some("yesterday-ish"), 100, 200).is_err());
    }

    #[test]
    fn what_only_the_launch_knew_is_carried_over_and_changes_are_listed() {
        let stored = report(&[
            ("jwt.signature", Outcome::Fail, "no key"),
            ("idtoken.nonce", Outcome::Pass, "nonce matches"),
            ("idtoken.exp", Outcome::Pass, "not expired"),
        ]);
        let mut fresh = report(&[
            ("jwt.signature", Outcome::Pass, "verified with kid k1"),
            ("idtoken.nonce", Outcome::Skipped, "no expected nonce"),
            ("idtoken.exp", Outcome::Pass, "not expired"),
        ]);
        carry_over(&mut fresh, &stored);
        let nonce = fresh
            .findings
            .iter()
            .find(|f| f.rule_id == "idtoken.nonce")
            .unwrap();
        assert_eq!(nonce.outcome, Outcome::Pass);
        assert!(nonce.message.ends_with("(as recorded at the launch)"));
        let diff = changes(&stored, &fresh);
        assert_eq!(diff.len(), 1, "{diff:?}");
        assert_eq!(diff[0].rule_id, "jwt.signature");
        assert_eq!(
            (diff[0].before, diff[0].after),
            (Some(Outcome::Fail), Some(Outcome::Pass))
        );
    }
}
