//! What real tool libraries do with launches that break one rule each — measured, not assumed.
//!
//! `make compat` launches every case (crates/lti-inspector/src/bin/compat) into PyLTI1p3, ltijs
//! and atomic-lti over loopback and writes `compat.json` next to this file; `make test` reruns
//! it and fails when the libraries' answers drift. This module reads that data: per rule, which
//! library rejects it and with what words ([`evidence`], [`evidence_for`] a finding), whether a
//! broken rule is lowered to a warning, and the one line findings carry.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A measured library and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Library {
    pub name: String,
    pub version: String,
}

/// One library's answer to one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LibraryResult {
    pub library: String,
    pub accepted: bool,
    /// The library's own answer when it refused (status and text), normalised; empty when it
    /// accepted.
    pub message: String,
}

/// One case: a launch that breaks `rule` (or, for a control, keeps it), and what each library
/// did with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseResult {
    pub id: String,
    pub rule: String,
    /// What the case changed in the valid launch.
    pub change: String,
    /// Our validator passes the rule on this case (a control measured for the record: the
    /// valid launch, a valid deep linking request, role_scope_mentor []).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub control: bool,
    /// A service answer (NRPS, AGS) fed to the library's service client rather than a launch.
    /// Measured and quoted, never a reason to lower a severity: a library that hands a member
    /// without user_id to the app unchecked has not made it usable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub service: bool,
    /// The control this case changes one thing of, when not the valid resource link launch
    /// (a valid deep linking request, an anonymous launch…). A library that refuses the
    /// baseline already says nothing about this case's rule: it does not take such messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// How the case breaks its rule, as our validator reports it ([`mode_of`]): `missing` or
    /// `value`. Findings are matched to the cases that broke their rule the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    pub results: Vec<LibraryResult>,
}

/// How a failed finding breaks its rule: `missing` (no value: the claim or member is absent)
/// or `value` (present and wrong). An expired token and one without exp are different
/// questions to a library; the harness records the mode of each case with this same function.
pub fn mode_of(f: &crate::finding::Finding) -> &'static str {
    match f.actual.as_deref() {
        None | Some("(missing)") => "missing",
        Some(_) => "value",
    }
}

/// The whole measurement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Matrix {
    pub about: String,
    pub libraries: Vec<Library>,
    pub cases: Vec<CaseResult>,
}

impl Matrix {
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Every disagreement between this (stored) matrix and a fresh run, one line each: a
    /// verdict or message that changed, a case or library that appeared or went away.
    pub fn differences(&self, fresh: &Matrix) -> Vec<String> {
        let mut out = Vec::new();
        if self.libraries != fresh.libraries {
            out.push(format!(
                "libraries: stored {:?}, measured {:?}",
                self.libraries, fresh.libraries
            ));
        }
        let stored: BTreeMap<&str, &CaseResult> =
            self.cases.iter().map(|c| (c.id.as_str(), c)).collect();
        let measured: BTreeMap<&str, &CaseResult> =
            fresh.cases.iter().map(|c| (c.id.as_str(), c)).collect();
        for (id, s) in &stored {
            let Some(m) = measured.get(id) else {
                out.push(format!("{id}: stored, no longer measured"));
                continue;
            };
            if s.rule != m.rule || s.control != m.control {
                out.push(format!(
                    "{id}: now measures {} (control {})",
                    m.rule, m.control
                ));
            }
            for r in &s.results {
                match m.results.iter().find(|x| x.library == r.library) {
                    None => out.push(format!("{id} · {}: not measured", r.library)),
                    Some(x) if x.accepted != r.accepted => out.push(format!(
                        "{id} · {}: stored {}, measured {} {}",
                        r.library,
                        word(r.accepted),
                        word(x.accepted),
                        x.message
                    )),
                    Some(x) if x.message != r.message => out.push(format!(
                        "{id} · {}: message was {:?}, now {:?}",
                        r.library, r.message, x.message
                    )),
                    Some(_) => {}
                }
            }
        }
        for id in measured.keys().filter(|id| !stored.contains_key(*id)) {
            out.push(format!("{id}: measured, not in the stored matrix"));
        }
        out
    }
}

fn word(accepted: bool) -> &'static str {
    if accepted {
        "accepted"
    } else {
        "refused"
    }
}

/// What one library does when `rule` is broken, over every case that breaks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// Refused every case that breaks the rule.
    Rejects,
    /// Refused some cases and accepted others (the rule has several ways to break it).
    Partly,
    /// Accepted every case that breaks the rule.
    Accepts,
    /// Refused the valid message the cases change (e.g. ltijs takes no submission review
    /// launch), so it was never asked about this rule.
    NotApplicable,
}

/// "PyLTI1p3 2.0.0": how a library is named wherever the evidence is quoted.
pub fn named(library: &str, version: &str) -> String {
    format!("{library} {version}")
}

/// One library's stance on one rule, with its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LibraryStance {
    pub library: String,
    pub version: String,
    pub stance: Stance,
    /// The library's message for the first case it refused.
    pub message: Option<String>,
    /// Cases measured / refused.
    pub cases: u32,
    pub refused: u32,
}

/// The measured evidence for one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RuleEvidence {
    pub rule: String,
    /// Evidence for one way of breaking the rule ([`mode_of`]), when its cases broke it in
    /// more than one way; None: every case of the rule.
    pub mode: Option<String>,
    pub libraries: Vec<LibraryStance>,
    /// "PyLTI1p3 2.0.0 rejects: … · ltijs 5.9.9 accepts · …".
    pub summary: String,
    /// The catalog says error, every library accepts it and it guards nothing: by default its
    /// failures are warnings (docs/RULES.md, "Verdicts"; strict mode keeps them errors).
    pub lowered_to_warning: bool,
    /// The rule's severity in the catalog.
    pub severity: crate::finding::Severity,
}

impl RuleEvidence {
    /// Whether this evidence speaks to `finding`: a failure the check itself reports at
    /// another severity than the catalog's (a relative deep_link_return_url, a warning, where
    /// the cases left it out, an error) is another way of breaking the rule than was measured.
    pub fn speaks_to(&self, finding: &crate::finding::Finding) -> bool {
        finding.outcome == crate::finding::Outcome::Fail
            && (finding.severity == self.severity || self.lowered_to_warning)
    }

    /// Every measured library was asked and accepted every case (a library that never got
    /// to the rule, [`Stance::NotApplicable`], leaves the question open).
    pub fn accepted_by_all(&self) -> bool {
        !self.libraries.is_empty() && self.libraries.iter().all(|l| l.stance == Stance::Accepts)
    }

    /// "PyLTI1p3 2.0.0, atomic-lti 2.2.0": the libraries that refuse it (always or partly).
    pub fn rejected_by(&self) -> Vec<String> {
        self.libraries
            .iter()
            .filter(|l| matches!(l.stance, Stance::Rejects | Stance::Partly))
            .map(|l| named(&l.library, &l.version))
            .collect()
    }
}

/// What the UI shows: the measured libraries and every measured rule's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CompatEvidence {
    pub libraries: Vec<Library>,
    pub rules: Vec<RuleEvidence>,
}

/// The stored measurement, per rule.
pub fn view() -> CompatEvidence {
    CompatEvidence {
        libraries: matrix().libraries.clone(),
        rules: all_evidence().values().cloned().collect(),
    }
}

static MATRIX: &str = include_str!("compat.json");

/// The stored measurement (empty when the file does not parse, which a test forbids).
pub fn matrix() -> &'static Matrix {
    static M: OnceLock<Matrix> = OnceLock::new();
    M.get_or_init(|| {
        Matrix::parse(MATRIX).unwrap_or(Matrix {
            about: String::new(),
            libraries: Vec::new(),
            cases: Vec::new(),
        })
    })
}

/// Evidence per rule, for every measured rule.
pub fn all_evidence() -> &'static BTreeMap<String, RuleEvidence> {
    static E: OnceLock<BTreeMap<String, RuleEvidence>> = OnceLock::new();
    E.get_or_init(|| build(matrix()))
}

/// The evidence for one rule, when it was measured.
pub fn evidence(rule: &str) -> Option<&'static RuleEvidence> {
    all_evidence().get(rule)
}

/// The evidence about a failed finding: its rule broken the same way ([`mode_of`]) when the
/// cases broke it several ways, else its rule; None when the rule was not measured or the
/// finding breaks it another way than measured ([`RuleEvidence::speaks_to`]).
pub fn evidence_for(f: &crate::finding::Finding) -> Option<&'static RuleEvidence> {
    let all = all_evidence();
    all.get(&format!("{}#{}", f.rule_id, mode_of(f)))
        .or_else(|| all.get(f.rule_id.as_ref()))
        .filter(|e| e.speaks_to(f))
}

/// One case's answers: the libraries ("name version") that refused it and those that
/// accepted it; both empty when no case has this id.
pub fn who_refuses(case_id: &str) -> (Vec<String>, Vec<String>) {
    let m = matrix();
    let Some(c) = m.cases.iter().find(|c| c.id == case_id) else {
        return (Vec::new(), Vec::new());
    };
    let name = |lib: &str| {
        m.libraries
            .iter()
            .find(|l| l.name == lib)
            .map_or_else(|| lib.to_string(), |l| named(&l.name, &l.version))
    };
    let (refused, accepted): (Vec<&LibraryResult>, Vec<&LibraryResult>) =
        c.results.iter().partition(|r| !r.accepted);
    (
        refused.iter().map(|r| name(&r.library)).collect(),
        accepted.iter().map(|r| name(&r.library)).collect(),
    )
}

fn build(m: &Matrix) -> BTreeMap<String, RuleEvidence> {
    let by_id: BTreeMap<&str, &CaseResult> = m.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    // Whether `library` refused the baseline of case `c` (then `c` says nothing about it).
    let baseline_refused = |c: &CaseResult, library: &str| -> Option<String> {
        let b = by_id.get(c.baseline.as_deref()?)?;
        let r = b.results.iter().find(|r| r.library == library)?;
        (!r.accepted).then(|| r.message.clone())
    };
    let mut by_rule: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
    for c in m.cases.iter().filter(|c| !c.control) {
        by_rule.entry(&c.rule).or_default().push(c);
    }
    // Every rule over all its cases, and each way of breaking it when there are several.
    let mut groups: Vec<(String, &str, Option<&str>, Vec<&CaseResult>)> = Vec::new();
    for (rule, cases) in &by_rule {
        groups.push((rule.to_string(), rule, None, cases.clone()));
        let mut modes: Vec<&str> = cases.iter().filter_map(|c| c.mode.as_deref()).collect();
        modes.sort_unstable();
        modes.dedup();
        if modes.len() > 1 {
            for mode in modes {
                let of_mode = cases
                    .iter()
                    .copied()
                    .filter(|c| c.mode.as_deref() == Some(mode))
                    .collect();
                groups.push((format!("{rule}#{mode}"), rule, Some(mode), of_mode));
            }
        }
    }
    groups
        .into_iter()
        .map(|(key, rule, mode, cases)| {
            let libraries: Vec<LibraryStance> = m
                .libraries
                .iter()
                .map(|lib| {
                    let mut not_applicable = None;
                    let results: Vec<&LibraryResult> = cases
                        .iter()
                        .filter(|c| match baseline_refused(c, &lib.name) {
                            Some(why) => {
                                not_applicable.get_or_insert(why);
                                false
                            }
                            None => true,
                        })
                        .filter_map(|c| c.results.iter().find(|r| r.library == lib.name))
                        .collect();
                    let refused: Vec<&&LibraryResult> =
                        results.iter().filter(|r| !r.accepted).collect();
                    let stance = if results.is_empty() && not_applicable.is_some() {
                        Stance::NotApplicable
                    } else if refused.is_empty() {
                        Stance::Accepts
                    } else if refused.len() == results.len() {
                        Stance::Rejects
                    } else {
                        Stance::Partly
                    };
                    LibraryStance {
                        library: lib.name.clone(),
                        version: lib.version.clone(),
                        stance,
                        message: refused
                            .first()
                            .map(|r| r.message.clone())
                            .or(not_applicable.filter(|_| results.is_empty())),
                        cases: results.len() as u32,
                        refused: refused.len() as u32,
                    }
                })
                .collect();
            let summary = summary(&libraries);
            let mut e = RuleEvidence {
                rule: rule.to_string(),
                mode: mode.map(str::to_string),
                libraries,
                summary,
                lowered_to_warning: false,
                severity: crate::rules::get(rule)
                    .map_or(crate::finding::Severity::Info, |r| r.severity),
            };
            e.lowered_to_warning = e.accepted_by_all()
                && !cases.iter().any(|c| c.service)
                && !crate::rules::is_security(rule)
                && e.severity == crate::finding::Severity::Error;
            (key, e)
        })
        .collect()
}

/// The one line a finding carries.
fn summary(libraries: &[LibraryStance]) -> String {
    libraries
        .iter()
        .map(|l| {
            let who = named(&l.library, &l.version);
            match (l.stance, &l.message) {
                (Stance::Accepts, _) => format!("{who} accepts"),
                (Stance::Rejects, Some(m)) => format!("{who} rejects: {m}"),
                (Stance::Partly, Some(m)) => {
                    format!("{who} rejects {} of {} cases: {m}", l.refused, l.cases)
                }
                (Stance::NotApplicable, Some(m)) => {
                    format!("{who} not measured: it refuses the message itself ({m})")
                }
                (_, None) => format!("{who} rejects"),
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, rule: &str, control: bool, results: &[(&str, bool, &str)]) -> CaseResult {
        CaseResult {
            id: id.into(),
            rule: rule.into(),
            change: String::new(),
            control,
            service: false,
            baseline: None,
            mode: None,
            results: results
                .iter()
                .map(|(l, a, m)| LibraryResult {
                    library: l.to_string(),
                    accepted: *a,
                    message: m.to_string(),
                })
                .collect(),
        }
    }

    fn sample() -> Matrix {
        Matrix {
            about: String::new(),
            libraries: vec![
                Library {
                    name: "A".into(),
                    version: "1".into(),
                },
                Library {
                    name: "B".into(),
                    version: "2".into(),
                },
            ],
            cases: vec![
                case(
                    "valid",
                    "jwt.signature",
                    true,
                    &[("A", true, ""), ("B", true, "")],
                ),
                case(
                    "x",
                    "idtoken.exp",
                    false,
                    &[("A", false, "401: expired"), ("B", true, "")],
                ),
                case(
                    "x.2",
                    "idtoken.exp",
                    false,
                    &[("A", false, "401: no exp"), ("B", false, "400: exp")],
                ),
                case(
                    "y",
                    "lti.custom",
                    false,
                    &[("A", true, ""), ("B", true, "")],
                ),
            ],
        }
    }

    #[test]
    fn stances_per_rule_skip_controls() {
        let e = build(&sample());
        assert!(
            !e.contains_key("jwt.signature"),
            "a control is not evidence about its rule"
        );
        let exp = &e["idtoken.exp"];
        assert_eq!(exp.libraries[0].stance, Stance::Rejects);
        assert_eq!(exp.libraries[1].stance, Stance::Partly);
        assert_eq!(
            exp.summary,
            "A 1 rejects: 401: expired · B 2 rejects 1 of 2 cases: 400: exp"
        );
        assert_eq!(exp.rejected_by(), vec!["A 1", "B 2"]);
        assert!(!exp.accepted_by_all());
        assert!(e["lti.custom"].accepted_by_all());
        assert_eq!(e["lti.custom"].summary, "A 1 accepts · B 2 accepts");
    }

    #[test]
    fn each_way_of_breaking_a_rule_has_its_own_evidence() {
        let mut m = sample();
        m.cases[1].mode = Some("value".into());
        m.cases[2].mode = Some("missing".into());
        let e = build(&m);
        assert_eq!(e["idtoken.exp#value"].libraries[1].stance, Stance::Accepts);
        assert_eq!(
            e["idtoken.exp#missing"].libraries[1].stance,
            Stance::Rejects
        );
        assert_eq!(e["idtoken.exp"].libraries[1].stance, Stance::Partly);
        assert!(
            !e.contains_key("lti.custom#value"),
            "one way only: the rule's evidence is enough"
        );
    }

    #[test]
    fn a_library_that_refuses_the_baseline_is_not_evidence() {
        let mut m = sample();
        m.cases.push(case(
            "sr.request",
            "sr.for_user",
            true,
            &[("A", true, ""), ("B", false, "401: NO_MESSAGE_TYPE_CLAIM")],
        ));
        let mut c = case(
            "sr.for_user",
            "sr.for_user",
            false,
            &[("A", true, ""), ("B", false, "401: NO_MESSAGE_TYPE_CLAIM")],
        );
        c.baseline = Some("sr.request".into());
        m.cases.push(c);
        let e = &build(&m)["sr.for_user"];
        assert_eq!(e.libraries[0].stance, Stance::Accepts);
        assert_eq!(e.libraries[1].stance, Stance::NotApplicable);
        assert!(!e.accepted_by_all(), "B never got to the rule");
        assert!(e.rejected_by().is_empty());
        assert!(
            e.summary.contains(
                "B 2 not measured: it refuses the message itself (401: NO_MESSAGE_TYPE_CLAIM)"
            ),
            "{}",
            e.summary
        );
    }

    #[test]
    fn differences_name_what_changed() {
        let stored = sample();
        assert!(stored.differences(&stored).is_empty());
        let mut fresh = sample();
        fresh.cases[1].results[1].accepted = false;
        fresh.cases[3].results[0].message = "changed".into();
        fresh.cases.pop();
        let d = stored.differences(&fresh);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(
            d[0].starts_with("x · B: stored accepted, measured refused"),
            "{d:?}"
        );
        assert!(d[1].starts_with("y: stored, no longer measured"), "{d:?}");
    }

    #[test]
    fn the_stored_matrix_parses_and_names_known_rules() {
        let m = Matrix::parse(MATRIX).expect("compat.json parses");
        for c in &m.cases {
            assert!(
                crate::rules::get(&c.rule).is_some(),
                "{} names unknown rule {}",
                c.id,
                c.rule
            );
            assert_eq!(
                c.results.len(),
                m.libraries.len(),
                "{} has a result per library",
                c.id
            );
        }
    }
}
