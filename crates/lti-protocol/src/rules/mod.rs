//! The rule catalog: every check the validators run, as data (id, severity, title, spec section
//! and URL, explanation), so findings cite the spec and the UI can list and explain all rules.
//!
//! Ids are stable and dotted (`login.*`, `auth.*`, `response.*`, `jwt.*`, `idtoken.*`, `lti.*`,
//! `dl.*`, `sr.*`, `ap.*`, `ags.*`, `nrps.*`, `hint.*`); stored findings refer to them.

mod catalog;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::finding::Severity;

pub use catalog::{ENGINE_RULE_PREFIXES, RULES};

/// One rule of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// Spec and section, e.g. "Security Framework §5.1.3".
    pub spec_section: &'static str,
    /// The spec section's URL, with its anchor.
    pub spec_url: &'static str,
    /// Why the rule exists and what usually breaks it.
    pub explanation: &'static str,
    /// Item numbers of LTI-NOTES §2 this rule covers (keeps the checklist honest in tests).
    pub covers: &'static [u8],
}

/// Serializable copy of a [`Rule`] for the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RuleInfo {
    pub id: String,
    pub severity: Severity,
    pub title: String,
    pub spec_section: String,
    pub spec_url: String,
    pub explanation: String,
}

impl From<&Rule> for RuleInfo {
    fn from(r: &Rule) -> Self {
        Self {
            id: r.id.into(),
            severity: r.severity,
            title: r.title.into(),
            spec_section: r.spec_section.into(),
            spec_url: r.spec_url.into(),
            explanation: r.explanation.into(),
        }
    }
}

/// Rules that guard the launch itself — who signed it, for whom, when, and that it answers
/// this browser's login. A failure is an error whatever the measured libraries do (a library
/// that accepts a forged or replayed token is a library with a hole, not evidence).
pub const SECURITY_RULES: &[&str] = &[
    "response.id_token",
    "response.state",
    "jwt.format",
    "jwt.alg",
    "jwt.kid",
    "jwt.signature",
    "idtoken.iss",
    "idtoken.iss_registered",
    "idtoken.aud",
    "idtoken.aud_extra",
    "idtoken.azp",
    "idtoken.exp",
    "idtoken.iat",
    "idtoken.nbf",
    "idtoken.nonce",
    "idtoken.nonce_replay",
    "lti.deployment_id",
    "lti.deployment_known",
    "lti11.signature",
    "lti11.timestamp",
    "lti11.nonce",
];

/// Whether a rule is a security check ([`SECURITY_RULES`]).
pub fn is_security(id: &str) -> bool {
    SECURITY_RULES.contains(&id)
}

/// The rule with this id.
pub fn get(id: &str) -> Option<&'static Rule> {
    // Every finding looks its rule up; an index beats scanning ~90 ids each time.
    static INDEX: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static Rule>> =
        std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| RULES.iter().map(|r| (r.id, r)).collect())
        .get(id)
        .copied()
}

/// The catalog as a Markdown reference (what `docs/RULES.md` holds; a test keeps it current):
/// one table per family of rules, in catalog order.
pub fn markdown() -> String {
    let family = |id: &str| -> &'static str {
        match id.split('.').next().unwrap_or("") {
            "login" => "OIDC login initiation",
            "auth" => "Authentication request",
            "response" => "Authentication response (form post)",
            "jwt" => "JWS: algorithm, key, signature",
            "idtoken" => "OIDC id_token claims",
            "lti" => "LTI Core claims",
            "dl" => "Deep Linking",
            "ags" => "Assignment and Grade Services",
            "nrps" => "Names and Role Provisioning Services",
            "sr" => "Submission Review",
            "ap" => "Proctoring",
            "token" => "Access tokens (client credentials)",
            "service" => "Service calls",
            "lti11" => "LTI 1.1 launches (OAuth 1.0a)",
            "dr" => "Dynamic Registration",
            "hint" => "LMS hints",
            _ => "Other",
        }
    };
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from(
        "# Validation rules\n\n\
         Generated from `crates/lti-protocol/src/rules/catalog.rs` (the same catalog the Rules page \
         of the app and the `list_rules` command show); regenerate with \
         `UPDATE_DOCS=1 cargo test -p lti-protocol --test rules_doc`.\n\n\
         Every check of a validation reports **pass**, **fail** or **skipped** against one of these \
         rules, with the values it compared. A failed **error** makes a message invalid; warnings \
         and infos never do.\n",
    );
    out.push_str(&verdict_policy());
    // Families in the order they first appear; rules in catalog order within each.
    let mut families: Vec<&str> = Vec::new();
    for r in RULES {
        if !families.contains(&family(r.id)) {
            families.push(family(r.id));
        }
    }
    for f in families {
        out.push_str(&format!(
            "\n## {f}\n\n| Rule | Severity | What it checks | Spec | Real tool libraries |\n|---|---|---|---|---|\n"
        ));
        for r in RULES.iter().filter(|r| family(r.id) == f) {
            let severity = match r.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            let measured = crate::compat::evidence(r.id);
            let severity = match measured {
                Some(e) if e.lowered_to_warning => {
                    "warning (error in strict mode: every library accepts)"
                }
                _ => severity,
            };
            out.push_str(&format!(
                "| `{}` | {severity} | **{}** {} | [{}]({}) | {} |\n",
                r.id,
                cell(r.title),
                cell(r.explanation),
                cell(r.spec_section),
                r.spec_url,
                measured.map_or_else(
                    || "not measured".to_string(),
                    |e| cell(&measured_cell(r.id, e))
                ),
            ));
        }
    }
    out
}

/// The measured column: per way of breaking the rule when it was broken several ways.
fn measured_cell(id: &str, all: &crate::compat::RuleEvidence) -> String {
    let by_mode: Vec<String> = ["missing", "value"]
        .iter()
        .filter_map(|m| {
            let e = crate::compat::all_evidence().get(&format!("{id}#{m}"))?;
            let when = if *m == "missing" {
                "when left out"
            } else {
                "when wrong"
            };
            Some(format!("**{when}:** {}", e.summary))
        })
        .collect();
    if by_mode.is_empty() {
        all.summary.clone()
    } else {
        by_mode.join(" — ")
    }
}

/// docs/RULES.md's "Verdicts" section: how severities follow the measurements.
fn verdict_policy() -> String {
    let m = crate::compat::matrix();
    let libs = m
        .libraries
        .iter()
        .map(|l| crate::compat::named(&l.name, &l.version))
        .collect::<Vec<_>>()
        .join(", ");
    let lowered: Vec<String> = RULES
        .iter()
        .filter(|r| crate::compat::evidence(r.id).is_some_and(|e| e.lowered_to_warning))
        .map(|r| format!("`{}`", r.id))
        .collect();
    format!(
        "\n## Verdicts\n\n\
         Severities follow evidence. `make compat` sends {cases} cases — the emulator's negative \
         tests, every rule below that a launch can break, and broken NRPS/AGS answers — into real \
         tool libraries over loopback ({libs}) and records what each accepts or refuses, with its own words \
         (`crates/lti-protocol/src/compat.json`; `make test` fails when a fresh run disagrees). \
         The last column of each table quotes it.\n\n\
         - A message is **invalid** when it breaks a MUST that real tools enforce, or a security \
           check — signature, alg, kid, iss, aud, azp, exp, iat, nbf, nonce and its replay, state, \
           deployment — whatever the libraries do (a library that accepts a replayed token has a \
           hole; it is not evidence).\n\
         - A MUST that **every** measured library accepts is still reported, with the spec text, as \
           a **warning** that says so: the launch works with real tools, so it does not turn red. \
           Now: {lowered}.\n\
         - Service answers (NRPS memberships, AGS line items) are fed to each library's service \
           client too and quoted the same way, but never lower a severity: a library that hands a \
           member without user_id to the app unchecked has not made it usable.\n\
         - Not measured, so kept at the catalog's severity: deep linking responses and their items \
           (a platform reads them, no tool library does); Dynamic Registration (ltijs reads a \
           platform's configuration, but broken configurations are not yet sent to it); LTI 1.1 \
           (none of the three libraries speaks it); the login and authentication request (the \
           library under test writes those).\n\
         - **Strict mode** (Settings → Verdicts in the app, `inspect --strict`, `Policy::strict`) \
           treats every MUST as an error, as the catalog states it.\n",
        cases = m.cases.len(),
        lowered = if lowered.is_empty() { "none".to_string() } else { lowered.join(", ") },
    )
}

/// The whole catalog, serializable, in catalog order.
pub fn catalog() -> Vec<RuleInfo> {
    RULES.iter().map(RuleInfo::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn security_rules_are_catalog_errors() {
        for id in SECURITY_RULES {
            let r = get(id).unwrap_or_else(|| panic!("{id} is not in the catalog"));
            assert_eq!(r.severity, Severity::Error, "{id} is a security rule");
        }
    }

    #[test]
    fn ids_are_unique_dotted_and_cited() {
        let mut seen = HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            let (group, name) = r.id.split_once('.').expect("dotted id");
            assert!(!group.is_empty() && !name.is_empty(), "{}", r.id);
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_'),
                "{} has odd characters",
                r.id
            );
            assert!(!r.spec_section.is_empty(), "{} has no section", r.id);
            assert!(
                r.spec_url.starts_with("https://"),
                "{} url {}",
                r.id,
                r.spec_url
            );
            assert!(!r.title.is_empty() && !r.explanation.is_empty(), "{}", r.id);
        }
    }

    #[test]
    fn every_notes_item_of_sections_2_1_to_2_7_is_covered() {
        let covered: HashSet<u8> = RULES
            .iter()
            .flat_map(|r| r.covers.iter().copied())
            .collect();
        for item in 1..=42u8 {
            assert!(
                covered.contains(&item),
                "LTI-NOTES §2 item {item} has no rule"
            );
        }
    }

    /// Every id quoted in the validators' sources is in the catalog, and every catalog rule is
    /// used by some validator (no dead rules).
    #[test]
    fn sources_and_catalog_agree() {
        let sources = [
            include_str!("../validate/mod.rs"),
            include_str!("../validate/login.rs"),
            include_str!("../validate/auth.rs"),
            include_str!("../validate/response.rs"),
            include_str!("../validate/token.rs"),
            include_str!("../validate/core_claims.rs"),
            include_str!("../validate/claim_values.rs"),
            include_str!("../validate/messages.rs"),
            include_str!("../validate/urls.rs"),
            include_str!("../deep_linking/items.rs"),
            include_str!("../deep_linking/compose.rs"),
            include_str!("../lti11/launch.rs"),
            include_str!("../lti11/migration.rs"),
            include_str!("../lti11/outcomes.rs"),
            include_str!("../dynreg.rs"),
        ]
        .join("\n")
        // Escaped quotes in string literals (XML templates) and quote characters ('"') would
        // shift the pairing below.
        .replace("\\\"", "")
        .replace("'\"'", "");
        let groups = [
            "login", "auth", "response", "jwt", "idtoken", "lti", "dl", "sr", "ap", "ags", "nrps",
            "hint", "lti11", "dr",
        ];
        let mut quoted = HashSet::new();
        for piece in sources.split('"').skip(1).step_by(2) {
            if let Some((g, rest)) = piece.split_once('.') {
                if groups.contains(&g)
                    && !rest.is_empty()
                    && rest.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    })
                {
                    quoted.insert(piece.to_string());
                }
            }
        }
        for id in &quoted {
            assert!(get(id).is_some(), "validator quotes unknown rule id {id}");
        }
        // Rules about a tool's behaviour are emitted by the engine's platform emulator.
        let engine_rule = |id: &str| ENGINE_RULE_PREFIXES.iter().any(|p| id.starts_with(p));
        for r in RULES.iter().filter(|r| !engine_rule(r.id)) {
            assert!(quoted.contains(r.id), "rule {} is never emitted", r.id);
        }
    }

    #[test]
    fn catalog_serializes() {
        let c = catalog();
        assert_eq!(c.len(), RULES.len());
        let json = serde_json::to_value(&c[0]).unwrap();
        assert!(json["severity"].is_string());
    }
}
