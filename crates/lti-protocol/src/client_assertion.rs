//! Checks of a client assertion (RFC 7523 §3, Security Framework §4.1.1) that a platform's
//! token endpoint makes before the signature: aud and exp/iat. Each check is a finding; the
//! first failure decides the OAuth error the endpoint answers. Times come from the token and
//! are compared with saturating arithmetic: `exp: 9223372036854775807` is a finding, not an
//! overflow.

use serde_json::Value;

use crate::finding::{Finding, Report};

/// The HTTP statuses a token endpoint refuses with (RFC 6749 §5.2).
pub mod status {
    pub const BAD_REQUEST: u16 = 400;
    pub const UNAUTHORIZED: u16 = 401;
}

const LEEWAY: i64 = 5;

/// Outcome of the checks: the first error the response reports (all are findings).
pub struct Refusal {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
}

pub fn refuse(
    slot: &mut Option<Refusal>,
    status: u16,
    error: &'static str,
    description: impl Into<String>,
) {
    if slot.is_none() {
        *slot = Some(Refusal {
            status,
            error,
            description: description.into(),
        });
    }
}

pub fn validate_show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn check_aud(
    report: &mut Report,
    refusal: &mut Option<Refusal>,
    aud: Option<Value>,
    endpoint: &str,
) {
    let list: Vec<String> = match &aud {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    };
    if list.iter().any(|a| a == endpoint) {
        report.push(
            Finding::pass("token.aud", "aud is the token endpoint.")
                .path("aud")
                .expected(endpoint),
        );
        return;
    }
    let shown = aud
        .as_ref()
        .map(validate_show)
        .unwrap_or_else(|| "(missing)".into());
    let near = list.iter().any(|a| {
        a.trim_end_matches('/') == endpoint
            || a.replace("127.0.0.1", "localhost") == endpoint.replace("127.0.0.1", "localhost")
    });
    report.push(
        Finding::fail("token.aud", "aud must be this platform's token endpoint URL, exactly.")
            .path("aud")
            .expected(endpoint)
            .actual(&shown)
            .maybe_hint(near.then(|| "Almost: the match is exact, so a trailing slash or another host name for the same server fails (Canvas: \"the 'aud' is invalid\").".to_string())),
    );
    refuse(
        refusal,
        status::UNAUTHORIZED,
        "invalid_client",
        format!("The client assertion's aud {shown} is not the token endpoint {endpoint}."),
    );
}

pub fn check_times(
    report: &mut Report,
    refusal: &mut Option<Refusal>,
    exp: Option<Value>,
    iat: Option<Value>,
    now: i64,
) {
    match exp.as_ref().and_then(Value::as_i64) {
        Some(e) if now <= e.saturating_add(LEEWAY) => {
            let f = Finding::pass(
                "token.exp",
                format!("Valid for {} more seconds.", e.saturating_sub(now)),
            )
            .path("exp");
            report.push(f);
        }
        Some(e) => {
            report.push(
                Finding::fail(
                    "token.exp",
                    format!(
                        "The assertion expired {} seconds ago.",
                        now.saturating_sub(e)
                    ),
                )
                .path("exp")
                .actual(e.to_string()),
            );
            refuse(
                refusal,
                status::UNAUTHORIZED,
                "invalid_client",
                "The client assertion has expired.",
            );
        }
        None => {
            report.push(
                Finding::fail("token.exp", "exp is missing or not a number.")
                    .path("exp")
                    .actual(
                        exp.as_ref()
                            .map(validate_show)
                            .unwrap_or_else(|| "(missing)".into()),
                    ),
            );
            refuse(
                refusal,
                status::UNAUTHORIZED,
                "invalid_client",
                "The client assertion has no exp.",
            );
        }
    }
    match iat.as_ref().and_then(Value::as_i64) {
        Some(i) if i > now.saturating_add(LEEWAY) => report.push(
            Finding::fail(
                "token.iat",
                format!(
                    "iat is {} seconds in the future: the tool's clock is ahead.",
                    i.saturating_sub(now)
                ),
            )
            .path("iat"),
        ),
        Some(_) => report.push(Finding::pass("token.iat", "iat is not in the future.").path("iat")),
        None => report.push(Finding::skipped("token.iat", "No iat.").path("iat")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::finding::Outcome;

    fn outcome(r: &Report, rule: &str) -> Outcome {
        r.findings
            .iter()
            .find(|f| f.rule_id == rule)
            .unwrap()
            .outcome
    }

    /// Issue 9, item 3: times at the ends of i64 are findings, never an overflow.
    #[test]
    fn extreme_times_do_not_overflow() {
        let now = 1_800_000_000;
        let mut report = Report::default();
        let mut refusal = None;
        check_times(
            &mut report,
            &mut refusal,
            Some(json!(i64::MAX)),
            Some(json!(i64::MAX)),
            now,
        );
        assert_eq!(outcome(&report, "token.exp"), Outcome::Pass);
        assert_eq!(outcome(&report, "token.iat"), Outcome::Fail);
        assert!(refusal.is_none());

        let mut report = Report::default();
        check_times(
            &mut report,
            &mut refusal,
            Some(json!(i64::MIN)),
            Some(json!(i64::MIN)),
            now,
        );
        assert_eq!(outcome(&report, "token.exp"), Outcome::Fail);
        assert_eq!(
            refusal.as_ref().map(|r| r.status),
            Some(status::UNAUTHORIZED)
        );
    }

    #[test]
    fn aud_must_name_the_token_endpoint() {
        let mut report = Report::default();
        let mut refusal = None;
        check_aud(
            &mut report,
            &mut refusal,
            Some(json!(["https://p/token"])),
            "https://p/token",
        );
        assert_eq!(outcome(&report, "token.aud"), Outcome::Pass);
        check_aud(
            &mut report,
            &mut refusal,
            Some(json!("https://elsewhere")),
            "https://p/token",
        );
        assert!(refusal.is_some());
    }
}
