//! Comparing two launches (issue 11, item 6): what differs between the claims of two
//! id_tokens (object claims member by member, named from the dictionary), between their
//! findings, and between their HTTP steps (parameters, header names, cookies sent) — the view
//! that answers "why does it work for the teacher and not for the student". Values that differ
//! in every launch (iat, exp, nonce, state…) are kept apart so the real differences come first.

use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::finding::{Outcome, Report};

/// Claims and parameters that differ between any two launches.
pub const VOLATILE: &[&str] = &[
    "iat",
    "exp",
    "nbf",
    "nonce",
    "jti",
    "auth_time",
    "state",
    "sid",
    "at_hash",
    "c_hash",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ClaimDiff {
    /// The claim URI, with `.member` for a member of an object claim.
    pub path: String,
    /// The dictionary's name for the claim, when it has one.
    #[ts(optional = nullable)]
    pub name: Option<String>,
    pub change: Change,
    #[ts(optional = nullable, type = "unknown")]
    pub a: Option<Value>,
    #[ts(optional = nullable, type = "unknown")]
    pub b: Option<Value>,
    /// Differs in every launch (times, nonce): shown after the rest.
    pub volatile: bool,
}

fn is_volatile(path: &str) -> bool {
    VOLATILE.contains(&path.rsplit(['/', '.']).next().unwrap_or(path))
}

fn name_of(uri: &str) -> Option<String> {
    crate::claims::lookup(uri).map(|c| c.name.to_string())
}

fn diff_value(
    path: &str,
    name: Option<String>,
    a: Option<&Value>,
    b: Option<&Value>,
    out: &mut Vec<ClaimDiff>,
) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                diff_value(
                    &format!("{path}.{k}"),
                    name.clone().map(|n| format!("{n} · {k}")),
                    x.get(k),
                    y.get(k),
                    out,
                );
            }
        }
        (x, y) if x == y => {}
        (x, y) => out.push(ClaimDiff {
            path: path.to_string(),
            name,
            change: match (x, y) {
                (None, Some(_)) => Change::Added,
                (Some(_), None) => Change::Removed,
                _ => Change::Changed,
            },
            a: x.cloned(),
            b: y.cloned(),
            volatile: is_volatile(path),
        }),
    }
}

/// Claim by claim (object claims member by member), in URI order, volatile ones last.
pub fn claims(a: &Map<String, Value>, b: &Map<String, Value>) -> Vec<ClaimDiff> {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        diff_value(k, name_of(k), a.get(k), b.get(k), &mut out);
    }
    out.sort_by_key(|d| d.volatile);
    out
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct FindingDiff {
    pub rule_id: String,
    pub title: String,
    #[ts(optional = nullable)]
    pub a: Option<Outcome>,
    #[ts(optional = nullable)]
    pub a_message: Option<String>,
    #[ts(optional = nullable)]
    pub b: Option<Outcome>,
    #[ts(optional = nullable)]
    pub b_message: Option<String>,
}

/// Rules whose outcome differs (a message alone differing is not a difference: it names values).
pub fn findings(a: &Report, b: &Report) -> Vec<FindingDiff> {
    let mut ids: Vec<&str> = a
        .findings
        .iter()
        .chain(&b.findings)
        .map(|f| f.rule_id.as_ref())
        .collect();
    ids.dedup();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for id in ids {
        if !seen.insert(id) {
            continue;
        }
        let fa = a.findings.iter().find(|f| f.rule_id == id);
        let fb = b.findings.iter().find(|f| f.rule_id == id);
        let outcome = |f: Option<&crate::finding::Finding>| {
            f.map(|f| f.outcome).filter(|o| *o != Outcome::Skipped)
        };
        if outcome(fa) == outcome(fb) {
            continue;
        }
        let title = fa.or(fb).map(|f| f.title.to_string()).unwrap_or_default();
        out.push(FindingDiff {
            rule_id: id.to_string(),
            title,
            a: fa.map(|f| f.outcome),
            a_message: fa.map(|f| f.message.clone()),
            b: fb.map(|f| f.outcome),
            b_message: fb.map(|f| f.message.clone()),
        });
    }
    // Failures first: what breaks one of the two launches.
    out.sort_by_key(|d| !(d.a == Some(Outcome::Fail) || d.b == Some(Outcome::Fail)));
    out
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PairDiff {
    /// `param`, `header` (names only: values differ by nature) or `cookie` (names sent).
    pub kind: String,
    pub name: String,
    pub change: Change,
    #[ts(optional = nullable)]
    pub a: Option<String>,
    #[ts(optional = nullable)]
    pub b: Option<String>,
    pub volatile: bool,
}

/// One HTTP step of both launches (login, launch…), compared.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StepDiff {
    pub step: String,
    #[ts(optional = nullable)]
    pub a_status: Option<u16>,
    #[ts(optional = nullable)]
    pub b_status: Option<u16>,
    pub differences: Vec<PairDiff>,
}

/// What an HTTP step carried, for comparing.
#[derive(Debug, Clone, Default)]
pub struct StepView {
    pub status: Option<u16>,
    pub params: Vec<(String, String)>,
    pub header_names: Vec<String>,
    pub cookie_names: Vec<String>,
}

fn pairs_diff(
    kind: &str,
    a: &[(String, String)],
    b: &[(String, String)],
    values: bool,
    out: &mut Vec<PairDiff>,
) {
    let mut names: Vec<&String> = a.iter().chain(b).map(|(k, _)| k).collect();
    names.sort();
    names.dedup();
    for n in names {
        let va = a.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let vb = b.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let change = match (&va, &vb) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            (Some(x), Some(y)) if values && x != y => Change::Changed,
            _ => continue,
        };
        out.push(PairDiff {
            kind: kind.into(),
            name: n.clone(),
            change,
            a: if values { va } else { None },
            b: if values { vb } else { None },
            volatile: is_volatile(n) || (kind == "param" && (n == "id_token" || n == "JWT")),
        });
    }
}

/// A cookie's family: runs of 8+ hex digits (a per-launch id, as in `lti_state_2ced7bcf…`)
/// become `*`, so two launches' state cookies are the same cookie.
pub fn cookie_family(name: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 8 {
            out.push('*');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in name.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

pub fn step(step: &str, a: &StepView, b: &StepView) -> StepDiff {
    let mut differences = Vec::new();
    pairs_diff("param", &a.params, &b.params, true, &mut differences);
    let names = |v: &[String]| {
        v.iter()
            .map(|n| (n.to_ascii_lowercase(), String::new()))
            .collect::<Vec<_>>()
    };
    pairs_diff(
        "header",
        &names(&a.header_names),
        &names(&b.header_names),
        false,
        &mut differences,
    );
    let families = |v: &[String]| {
        v.iter()
            .map(|n| (cookie_family(n), String::new()))
            .collect::<Vec<_>>()
    };
    pairs_diff(
        "cookie",
        &families(&a.cookie_names),
        &families(&b.cookie_names),
        false,
        &mut differences,
    );
    differences.sort_by_key(|d| d.volatile);
    StepDiff {
        step: step.into(),
        a_status: a.status,
        b_status: b.status,
        differences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use serde_json::json;

    #[test]
    fn claims_member_by_member_with_names_and_volatile_last() {
        let a = json!({"iat": 1, "sub": "t", "https://purl.imsglobal.org/spec/lti/claim/roles": ["Instructor"],
            "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "c", "title": "Physics"}});
        let b = json!({"iat": 2, "sub": "s", "https://purl.imsglobal.org/spec/lti/claim/roles": ["Learner"],
            "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "c"}, "email": "s@x"});
        let d = claims(a.as_object().unwrap(), b.as_object().unwrap());
        let paths: Vec<&str> = d.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "email",
                "https://purl.imsglobal.org/spec/lti/claim/context.title",
                "https://purl.imsglobal.org/spec/lti/claim/roles",
                "sub",
                "iat"
            ]
        );
        assert_eq!(d[0].change, Change::Added);
        assert_eq!(d[1].change, Change::Removed);
        assert!(
            d[2].name
                .as_deref()
                .unwrap_or("")
                .to_lowercase()
                .contains("role"),
            "{:?}",
            d[2].name
        );
        assert!(d[4].volatile && !d[3].volatile);
    }

    #[test]
    fn findings_that_differ_in_outcome_failures_first() {
        let mut a = Report::new();
        a.push(Finding::pass("idtoken.exp", "ok"));
        a.push(Finding::pass("jwt.signature", "ok"));
        a.push(Finding::skipped("idtoken.nbf", "none"));
        let mut b = Report::new();
        b.push(Finding::fail("idtoken.exp", "expired"));
        b.push(Finding::pass("jwt.signature", "ok, other words"));
        let d = findings(&a, &b);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].a, d[0].b), (Some(Outcome::Pass), Some(Outcome::Fail)));
    }

    #[test]
    fn per_launch_cookie_names_are_one_family() {
        assert_eq!(
            cookie_family("lti_state_2ced7bcfb2712a21_lax"),
            "lti_state_*_lax"
        );
        assert_eq!(cookie_family("session"), "session");
        assert_eq!(cookie_family("abc123"), "abc123");
    }

    #[test]
    fn steps_compare_params_header_names_and_cookies() {
        let a = StepView {
            status: Some(200),
            params: vec![
                ("state".into(), "1".into()),
                ("lti_storage_target".into(), "_parent".into()),
            ],
            header_names: vec!["Cookie".into(), "Origin".into()],
            cookie_names: vec!["lti_state_1".into()],
        };
        let b = StepView {
            status: Some(200),
            params: vec![("state".into(), "2".into())],
            header_names: vec!["Origin".into()],
            cookie_names: vec![],
        };
        let d = step("launch", &a, &b);
        let got: Vec<(String, String, Change)> = d
            .differences
            .iter()
            .map(|x| (x.kind.clone(), x.name.clone(), x.change))
            .collect();
        assert_eq!(
            got,
            [
                ("param".into(), "lti_storage_target".into(), Change::Removed),
                ("header".into(), "cookie".into(), Change::Removed),
                ("cookie".into(), "lti_state_1".into(), Change::Removed),
                ("param".into(), "state".into(), Change::Changed),
            ]
        );
    }
}
