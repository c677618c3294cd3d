//! Pure LTI protocol logic, usable on its own: JOSE (keys, JWKs, JWS), the claims dictionary,
//! the rule catalog, role badges, LMS profiles, message detection, and validation that reports
//! every check as a finding.
//!
//! No sockets, no disk, no clock of its own: time, keys and stored nonces come in as arguments,
//! so everything here is unit-tested with fixtures and a captured launch can be re-validated as
//! of the moment it arrived.

pub mod ags_requests;
pub mod b64;
pub mod claims;
pub mod client_assertion;
pub mod compare;
pub mod compat;
pub mod deep_linking;
pub mod dynreg;
pub mod finding;
pub mod har;
pub mod inspect;
pub mod jwk;
pub mod jws;
pub mod keys;
pub mod lms;
pub mod lti11;
pub mod message;
pub mod resend;
pub mod roles;
mod rsa_legacy;
pub mod rules;
pub mod service_answers;
pub mod validate;
pub mod vocab;

#[cfg(test)]
mod ts_bindings {
    use ts_rs::{Config, TS};

    /// Every public report/input type this crate adds declares as TypeScript (the lead exports
    /// them centrally); a type ts-rs cannot declare would panic here instead of in the UI build.
    #[test]
    fn report_types_declare() {
        let cfg = Config::new().with_large_int("number");
        let decls = [
            crate::finding::Severity::decl(&cfg),
            crate::finding::Outcome::decl(&cfg),
            crate::finding::Finding::decl(&cfg),
            crate::finding::Verdict::decl(&cfg),
            crate::finding::Counts::decl(&cfg),
            crate::finding::Report::decl(&cfg),
            crate::rules::RuleInfo::decl(&cfg),
            crate::jws::JwsPart::decl(&cfg),
            crate::jws::JwsError::decl(&cfg),
            crate::jws::DecodedJws::decl(&cfg),
            crate::jws::SignatureCheck::decl(&cfg),
            crate::claims::MemberDoc::decl(&cfg),
            crate::claims::ClaimInfo::decl(&cfg),
            crate::claims::ExplainedMember::decl(&cfg),
            crate::claims::ExplainedClaim::decl(&cfg),
            crate::roles::RoleKind::decl(&cfg),
            crate::roles::RoleBadge::decl(&cfg),
            crate::lms::LmsProfile::decl(&cfg),
            crate::validate::Policy::decl(&cfg),
            crate::validate::RegistrationView::decl(&cfg),
            crate::validate::LoginView::decl(&cfg),
            crate::validate::StateCheck::decl(&cfg),
            crate::validate::LoginContext::decl(&cfg),
            crate::validate::AuthRequestContext::decl(&cfg),
            crate::validate::FormPostContext::decl(&cfg),
            crate::validate::IdTokenReport::decl(&cfg),
            crate::message::Detected::decl(&cfg),
        ];
        for d in &decls {
            assert!(d.starts_with("type "), "{d}");
            assert!(!d.contains("bigint"), "{d}");
        }
        assert!(
            decls[8].contains("\"code\""),
            "JwsError is tagged by code: {}",
            decls[8]
        );
        assert!(
            decls[26].contains("\"kind\""),
            "Detected is tagged by kind: {}",
            decls[26]
        );
        assert!(decls[14].contains("value: JsonValue"), "{}", decls[14]);
    }
}
