//! Findings and reports: the result of every validation, one [`Finding`] per check (passed,
//! failed or skipped), each tied to a rule of the catalog so the UI can cite the spec.
//!
//! Validation never stops at the first problem: a [`Report`] holds all findings and derives the
//! verdict from them.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::rules;

/// Catalog text a finding repeats (rule id, title, spec citation): borrowed from the catalog
/// when built there, owned when read back from storage. A launch makes ~60 findings; sharing
/// the catalog's text spares ~240 allocations per validation.
pub type Text = Cow<'static, str>;

/// How much a failed check matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A spec MUST (or a security requirement): the message must be rejected.
    Error,
    /// A SHOULD, a recommendation, or an interoperability risk seen with real LMSs.
    Warning,
    /// Worth knowing; never makes a message invalid.
    Info,
}

/// What happened to one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// Not checked; the message says why (e.g. no JWKS, no stored nonce).
    Skipped,
}

/// One check's result, with what was expected and what was seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Finding {
    /// Catalog id, e.g. `idtoken.aud` (see [`crate::rules`]).
    #[ts(type = "string")]
    pub rule_id: Text,
    /// Normally the rule's severity; a check may lower it for a documented reason (e.g. an
    /// `http:` URL on localhost is info rather than a warning).
    pub severity: Severity,
    pub outcome: Outcome,
    #[ts(type = "string")]
    pub title: Text,
    /// One line that says what was found and, when failed, what to fix.
    pub message: String,
    /// Claim URI with member path (`…/claim/context.id`) or login/form parameter name.
    pub path: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    #[ts(type = "string")]
    pub spec_section: Text,
    #[ts(type = "string")]
    pub spec_url: Text,
    /// LMS-specific advice (Canvas, Moodle, D2L…), when one applies.
    pub hint: Option<String>,
}

impl Finding {
    /// A finding for catalog rule `id`, with the rule's severity, title and spec citation.
    ///
    /// Panics in debug builds when `id` is not in the catalog (tests catch typos); in release an
    /// unknown id yields a finding that still says which id was used.
    pub fn from_rule(id: &str, outcome: Outcome, message: impl Into<String>) -> Self {
        let rule = rules::get(id);
        debug_assert!(
            rule.is_some(),
            "finding uses rule id {id:?} which is not in the catalog"
        );
        let (id, severity, title, section, url) = match rule {
            Some(r) => (
                Cow::Borrowed(r.id),
                r.severity,
                r.title,
                r.spec_section,
                r.spec_url,
            ),
            None => (
                Cow::Owned(id.to_string()),
                Severity::Info,
                "Unknown rule",
                "",
                "",
            ),
        };
        Self {
            rule_id: id,
            severity,
            outcome,
            title: Cow::Borrowed(title),
            message: message.into(),
            path: None,
            expected: None,
            actual: None,
            spec_section: Cow::Borrowed(section),
            spec_url: Cow::Borrowed(url),
            hint: None,
        }
    }

    pub fn pass(id: &str, message: impl Into<String>) -> Self {
        Self::from_rule(id, Outcome::Pass, message)
    }

    pub fn fail(id: &str, message: impl Into<String>) -> Self {
        Self::from_rule(id, Outcome::Fail, message)
    }

    pub fn skipped(id: &str, message: impl Into<String>) -> Self {
        Self::from_rule(id, Outcome::Skipped, message)
    }

    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    pub fn actual(mut self, actual: impl Into<String>) -> Self {
        self.actual = Some(actual.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the hint only when there is one.
    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn is_failed_error(&self) -> bool {
        self.outcome == Outcome::Fail && self.severity == Severity::Error
    }
}

/// Overall judgement of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No failed error-severity check, and the signature (if any) was verified.
    Valid,
    /// At least one failed error-severity check.
    Invalid,
    /// No failed errors, but the signature could not be checked (no key, or unsigned claims).
    Unverified,
}

/// Number of findings per severity and outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Counts {
    pub passed: u32,
    pub failed: u32,
    pub skipped: u32,
    /// Failed checks by severity.
    pub errors: u32,
    pub warnings: u32,
    pub infos: u32,
}

/// Every finding of one validation run, in the order the checks ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Report {
    pub findings: Vec<Finding>,
}

/// The rule whose skip means "signature not checked", making a clean report unverified.
pub const SIGNATURE_RULE: &str = "jwt.signature";
/// Every such rule: the JWS signature (1.3) and the OAuth 1.0a signature (1.1).
pub const SIGNATURE_RULES: &[&str] = &[SIGNATURE_RULE, "lti11.signature"];

impl Report {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub fn extend(&mut self, other: Report) {
        self.findings.extend(other.findings);
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.findings {
            match f.outcome {
                Outcome::Pass => c.passed += 1,
                Outcome::Skipped => c.skipped += 1,
                Outcome::Fail => {
                    c.failed += 1;
                    match f.severity {
                        Severity::Error => c.errors += 1,
                        Severity::Warning => c.warnings += 1,
                        Severity::Info => c.infos += 1,
                    }
                }
            }
        }
        c
    }

    pub fn verdict(&self) -> Verdict {
        if self.findings.iter().any(Finding::is_failed_error) {
            Verdict::Invalid
        } else if self
            .findings
            .iter()
            .any(|f| f.outcome == Outcome::Skipped && SIGNATURE_RULES.contains(&f.rule_id.as_ref()))
        {
            Verdict::Unverified
        } else {
            Verdict::Valid
        }
    }

    /// All findings of one rule.
    pub fn for_rule<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.rule_id == id)
    }

    /// The first finding of a rule.
    pub fn get(&self, id: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.rule_id == id)
    }

    /// Whether any finding of the rule failed (at any severity).
    pub fn failed(&self, id: &str) -> bool {
        self.for_rule(id).any(|f| f.outcome == Outcome::Fail)
    }

    /// Failed findings, most severe first (stable within a severity).
    pub fn failures(&self) -> Vec<&Finding> {
        let mut out: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.outcome == Outcome::Fail)
            .collect();
        out.sort_by_key(|f| f.severity);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_rule_copies_catalog_fields() {
        let f = Finding::fail("idtoken.aud", "aud lacks the client id")
            .expected("a")
            .actual("b");
        assert_eq!(f.severity, Severity::Error);
        assert!(f.spec_url.starts_with("https://"));
        assert!(!f.spec_section.is_empty());
        assert_eq!(f.expected.as_deref(), Some("a"));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "not in the catalog")]
    fn unknown_rule_panics_in_debug() {
        let _ = Finding::pass("no.such_rule", "x");
    }

    #[test]
    fn verdict_rules() {
        let mut r = Report::new();
        r.push(Finding::pass("idtoken.aud", "ok"));
        assert_eq!(r.verdict(), Verdict::Valid);
        r.push(Finding::skipped(SIGNATURE_RULE, "no key"));
        assert_eq!(r.verdict(), Verdict::Unverified);
        r.push(Finding::fail("lti.context_type", "warning only"));
        assert_eq!(r.verdict(), Verdict::Unverified);
        r.push(Finding::fail("idtoken.exp", "expired"));
        assert_eq!(r.verdict(), Verdict::Invalid);
        let c = r.counts();
        assert_eq!(
            (c.passed, c.failed, c.skipped, c.errors, c.warnings),
            (1, 2, 1, 1, 1)
        );
        assert_eq!(r.failures()[0].rule_id, "idtoken.exp");
        assert!(r.failed("idtoken.exp"));
        assert!(!r.failed("idtoken.aud"));
    }

    #[test]
    fn lowered_severity_does_not_invalidate() {
        let mut r = Report::new();
        r.push(Finding::fail("idtoken.aud_extra", "untrusted").severity(Severity::Warning));
        assert_eq!(r.verdict(), Verdict::Valid);
    }
}
