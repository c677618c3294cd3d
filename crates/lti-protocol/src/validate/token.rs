//! JWS header and signature checks (`jwt.*`) and the OIDC id_token claims (`idtoken.*`):
//! issuer, audience, azp, time claims with leeway, nonce, sub.

use serde_json::{Map, Value};

use super::{ascii_id_problem, is_tool_originated, show, IdTokenContext};
use crate::finding::{Finding, Report, Severity};
use crate::jws::{Jws, SignatureCheck, RS256};
use crate::lms::{self, LmsProfile};

/// Checks alg, kid, the signature and key strength. Returns the signature outcome when a key
/// set was available.
pub(super) fn check_jws(
    jws: &Jws,
    ctx: &IdTokenContext<'_>,
    profile: Option<&LmsProfile>,
    report: &mut Report,
) -> Option<SignatureCheck> {
    let alg = jws.alg();
    match alg {
        Some(RS256) => report.push(Finding::pass("jwt.alg", "RS256.").path("header.alg")),
        other => report.push(
            Finding::fail(
                "jwt.alg",
                "Refused before any key was used: only RS256 is accepted (none and HS* let anyone forge tokens).",
            )
            .path("header.alg")
            .expected(RS256)
            .actual(other.unwrap_or("(missing)")),
        ),
    }

    // A tool's message (deep linking response) is signed with the tool's key: its key set is
    // the tool's JWKS, and the words say so.
    let whose = match jws
        .payload
        .get(crate::vocab::claim::MESSAGE_TYPE)
        .and_then(Value::as_str)
    {
        Some(mt) if is_tool_originated(mt) => "tool",
        _ => "platform",
    };
    let check = ctx.jwks.map(|jwks| jws.verify(jwks));
    match (jws.kid(), &check) {
        (Some(kid), Some(SignatureCheck::NoKeyForKid { available, .. })) => report.push(
            Finding::fail(
                "jwt.kid",
                format!("No key with kid {kid:?} in the {whose} JWKS."),
            )
            .path("header.kid")
            .expected(format!("one of {}", available.join(", ")))
            .actual(kid)
            .hint(lms::jwks_hint(profile)),
        ),
        (Some(kid), Some(_)) => {
            report.push(Finding::pass("jwt.kid", format!("kid {kid:?}.")).path("header.kid"))
        }
        (Some(kid), None) => report.push(
            Finding::pass(
                "jwt.kid",
                format!("kid {kid:?} present (no JWKS supplied to look it up)."),
            )
            .path("header.kid"),
        ),
        (None, _) => {
            let single = ctx.jwks.is_some_and(|j| j.keys.len() == 1);
            let extra = if single {
                " The JWKS's only key was still tried for the signature."
            } else {
                ""
            };
            report.push(
                Finding::fail("jwt.kid", format!("The header has no kid, so no key can be selected from the {whose} JWKS.{extra}"))
                    .path("header.kid")
                    .expected(format!("kid of a key in the {whose} JWKS"))
                    .actual("(missing)"),
            )
        }
    }

    let signature = match &check {
        None if whose == "tool" => Finding::skipped("jwt.signature", "Unverified: a deep linking response is signed with the tool's key, and no tool JWKS was given (the tool's JWKS URL from its registration, or inspect --tool-jwks)."),
        None => Finding::skipped("jwt.signature", "No platform JWKS supplied: the signature was not checked."),
        Some(SignatureCheck::Verified { kid, .. }) => Finding::pass(
            "jwt.signature",
            format!("Verified with key {}.", kid.as_deref().unwrap_or("(no kid)")),
        ),
        Some(SignatureCheck::AlgNotAllowed { alg }) => Finding::fail(
            "jwt.signature",
            format!("Not verified: alg {} is not allowed.", alg.as_deref().unwrap_or("(missing)")),
        ),
        Some(SignatureCheck::NoKeys) => {
            Finding::skipped("jwt.signature", format!("The {whose} JWKS is empty: the signature was not checked."))
        }
        Some(SignatureCheck::NoKeyForKid { kid, .. }) => Finding::skipped(
            "jwt.signature",
            format!("No key for kid {kid:?}: the signature was not checked."),
        ),
        Some(SignatureCheck::NoKid { available }) => Finding::skipped(
            "jwt.signature",
            format!("No kid and {} keys to choose from: the signature was not checked.", available.len()),
        ),
        Some(SignatureCheck::BadSignature { kid, .. }) => Finding::fail(
            "jwt.signature",
            format!(
                "The signature does not verify with key {}: the token was altered or signed with another key.",
                kid.as_deref().unwrap_or("(no kid)")
            ),
        )
        .hint(lms::jwks_hint(profile)),
        Some(SignatureCheck::KeyUnusable { reason, .. }) => Finding::fail(
            "jwt.signature",
            format!("The selected {whose} key cannot verify RS256: {reason}."),
        ),
    };
    report.push(signature.path("signature"));

    match &check {
        Some(SignatureCheck::Verified { key_bits, .. })
        | Some(SignatureCheck::BadSignature { key_bits, .. }) => {
            let f = if *key_bits < ctx.policy.min_key_bits {
                Finding::fail("jwt.key_strength", format!("The {whose} key is only {key_bits} bits: it is weak; keys should have 2048 bits or more."))
            } else {
                Finding::pass("jwt.key_strength", format!("{key_bits}-bit RSA key."))
            };
            report.push(
                f.expected(format!("≥ {} bits", ctx.policy.min_key_bits))
                    .actual(key_bits.to_string()),
            );
        }
        _ => report.push(Finding::skipped("jwt.key_strength", "No key was used.")),
    }

    if let (
        Some(jwks),
        Some(SignatureCheck::Verified { .. } | SignatureCheck::BadSignature { .. }),
    ) = (ctx.jwks, &check)
    {
        if let Some(key) = jwks.select(jws.kid()) {
            if key.alg.is_none() {
                report.push(Finding::pass("hint.jwks_key_alg", "The platform key has no alg member (allowed; D2L Brightspace does this). It was used as RS256."));
            }
        }
    }
    check
}

fn number(v: Option<&Value>) -> Option<i64> {
    v.and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

/// The OIDC claims of the token. For tool-originated messages (deep linking response) iss is
/// the client_id and aud the platform issuer.
pub(super) fn check_claims(
    p: &Map<String, Value>,
    ctx: &IdTokenContext<'_>,
    message_type: &str,
    profile: Option<&LmsProfile>,
    report: &mut Report,
) {
    let from_tool = is_tool_originated(message_type);
    let reg = ctx.registration.as_ref();
    let login = ctx.login.as_ref();
    let client_id = reg
        .map(|r| r.client_id.clone())
        .or_else(|| login.and_then(|l| l.client_id.clone()));
    let platform_iss = reg
        .map(|r| r.issuer.clone())
        .or_else(|| login.and_then(|l| l.iss.clone()));
    let (expected_iss, expected_aud) = if from_tool {
        (client_id.clone(), platform_iss.clone())
    } else {
        (platform_iss, client_id)
    };

    // iss
    let iss = p.get("iss");
    match iss.and_then(Value::as_str) {
        Some(s) if !s.is_empty() => report.push(
            Finding::pass("idtoken.iss", "Present.")
                .path("iss")
                .actual(s),
        ),
        _ => report.push(
            Finding::fail("idtoken.iss", "iss is missing or not a non-empty string.")
                .path("iss")
                .actual(iss.map(show).unwrap_or_else(|| "(missing)".into())),
        ),
    }
    let iss_str = iss.and_then(Value::as_str).unwrap_or("");
    match &expected_iss {
        None => report.push(
            Finding::skipped(
                "idtoken.iss_registered",
                "No registration to compare the issuer with.",
            )
            .path("iss"),
        ),
        Some(exp) if exp == iss_str => report.push(
            Finding::pass(
                "idtoken.iss_registered",
                "Matches the registration exactly.",
            )
            .path("iss")
            .expected(exp)
            .actual(iss_str),
        ),
        Some(exp) => report.push(
            Finding::fail(
                "idtoken.iss_registered",
                "The issuer does not exactly match the registered platform issuer.",
            )
            .path("iss")
            .expected(exp)
            .actual(iss_str)
            .maybe_hint(lms::issuer_hint(exp, iss_str)),
        ),
    }
    if !from_tool {
        // With a registration the comparison above used it; the login's iss must agree too.
        if let (Some(login_iss), Some(_)) = (login.and_then(|l| l.iss.as_deref()), reg) {
            if login_iss != iss_str {
                report.push(
                    Finding::fail(
                        "idtoken.iss_registered",
                        "The id_token's iss differs from the login request's iss.",
                    )
                    .path("iss")
                    .expected(login_iss)
                    .actual(iss_str),
                );
            }
        }
    }

    // aud / azp
    let aud: Option<Vec<String>> = match p.get("aud") {
        Some(Value::String(s)) => Some(vec![s.clone()]),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) && !a.is_empty() => Some(
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ),
        _ => None,
    };
    let aud_shown = p.get("aud").map(show).unwrap_or_else(|| "(missing)".into());
    match (&aud, &expected_aud) {
        (None, _) => report.push(
            Finding::fail("idtoken.aud", "aud is missing or not a string / non-empty array of strings.").path("aud").actual(&aud_shown),
        ),
        (Some(_), None) => report.push(Finding::skipped("idtoken.aud", "No client_id known to look for in aud.").path("aud").actual(&aud_shown)),
        (Some(list), Some(exp)) if list.contains(exp) => {
            report.push(Finding::pass("idtoken.aud", "aud contains the client_id.").path("aud").expected(exp).actual(&aud_shown))
        }
        (Some(_), Some(exp)) => report.push(
            Finding::fail("idtoken.aud", "aud does not contain this tool's client_id: the token was issued for another client (reject with 401).")
                .path("aud")
                .expected(exp)
                .actual(&aud_shown)
                .hint("Compare with the client_id of the registration (Canvas: the developer key id; Moodle: the tool's Client ID)."),
        ),
    }
    let multiple = aud.as_ref().is_some_and(|a| a.len() > 1);
    if let (Some(list), true) = (&aud, multiple) {
        let trusted = reg.and_then(|r| r.trusted_audiences.as_ref());
        let extras: Vec<&String> = list
            .iter()
            .filter(|a| {
                Some(*a) != expected_aud.as_ref() && !trusted.is_some_and(|t| t.contains(a))
            })
            .collect();
        if extras.is_empty() {
            report
                .push(Finding::pass("idtoken.aud_extra", "Every audience is trusted.").path("aud"));
        } else {
            let names = extras
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let f = Finding::fail(
                "idtoken.aud_extra",
                format!("aud also lists {names}; reject unless the tool trusts them."),
            )
            .path("aud")
            .actual(&aud_shown);
            report.push(match trusted {
                Some(_) => f,
                None => f.severity(Severity::Warning).hint("No trusted-audience list is configured, so this is a warning; configure one to make it an error."),
            });
        }
    } else {
        report.push(Finding::pass("idtoken.aud_extra", "Single audience.").path("aud"));
    }
    let azp = p.get("azp");
    if multiple {
        if azp.is_some() {
            report.push(
                Finding::pass(
                    "idtoken.azp_present",
                    "Several audiences and azp is present.",
                )
                .path("azp"),
            );
        } else {
            report.push(
                Finding::fail(
                    "idtoken.azp_present",
                    "aud has several values but there is no azp claim.",
                )
                .path("azp")
                .actual("(missing)"),
            );
        }
    } else {
        report.push(
            Finding::pass("idtoken.azp_present", "Single audience: azp not needed.").path("azp"),
        );
    }
    match (azp, &expected_aud) {
        (None, _) => report.push(Finding::skipped("idtoken.azp", "No azp claim.").path("azp")),
        (Some(v), Some(exp)) if v.as_str() == Some(exp.as_str()) => report.push(
            Finding::pass("idtoken.azp", "azp is the client_id.")
                .path("azp")
                .expected(exp)
                .actual(show(v)),
        ),
        (Some(v), Some(exp)) => report.push(
            Finding::fail(
                "idtoken.azp",
                "azp names another party: the token was authorized for a different client.",
            )
            .path("azp")
            .expected(exp)
            .actual(show(v)),
        ),
        (Some(v), None) => report.push(
            Finding::skipped("idtoken.azp", "No client_id known to compare azp with.")
                .path("azp")
                .actual(show(v)),
        ),
    }

    check_times(p, ctx, profile, report);
    check_nonce(p, ctx, from_tool, report);
    check_sub(p, ctx, from_tool, report);
    check_user_claims(p, from_tool, report);
}

fn check_times(
    p: &Map<String, Value>,
    ctx: &IdTokenContext<'_>,
    profile: Option<&LmsProfile>,
    report: &mut Report,
) {
    // Times come from the token: saturating arithmetic, so exp = i64::MAX is a finding, not an
    // overflow that resets the connection (issue 9, item 3).
    let now = ctx.now;
    let leeway = ctx.policy.leeway_secs;
    let exp = number(p.get("exp"));
    let iat = number(p.get("iat"));
    match exp {
        None => {
            report.push(Finding::fail("idtoken.exp", "exp is missing or not a number.").path("exp"))
        }
        Some(exp) if now < exp.saturating_add(leeway) => report.push(
            Finding::pass(
                "idtoken.exp",
                format!("Valid for {} more seconds.", exp.saturating_sub(now)),
            )
            .path("exp")
            .expected(format!("now < {exp} + {leeway}s leeway"))
            .actual(now.to_string()),
        ),
        Some(exp) => report.push(
            Finding::fail(
                "idtoken.exp",
                format!(
                    "Expired {} seconds ago (leeway {leeway}s).",
                    now.saturating_sub(exp)
                ),
            )
            .path("exp")
            .expected(format!("now < {exp} + {leeway}s leeway"))
            .actual(now.to_string())
            .maybe_hint(lms::expiry_hint(profile)),
        ),
    }
    match iat {
        None => report.push(Finding::fail("idtoken.iat", "iat is missing or not a number.").path("iat")),
        Some(iat) if iat > now.saturating_add(leeway) => report.push(
            Finding::fail("idtoken.iat", format!("Issued {} seconds in the future: the platform's and this clock disagree (sync with NTP, or raise the leeway).", iat.saturating_sub(now)))
                .path("iat")
                .expected(format!("≤ now + {leeway}s leeway"))
                .actual(iat.to_string())
                .maybe_hint(lms::expiry_hint(profile)),
        ),
        Some(iat) => report.push(Finding::pass("idtoken.iat", format!("Issued {} seconds ago.", now.saturating_sub(iat))).path("iat").actual(iat.to_string())),
    }
    match (iat, ctx.policy.max_token_age_secs) {
        (Some(iat), Some(max)) if now.saturating_sub(iat) > max => report.push(
            Finding::fail(
                "idtoken.iat_age",
                format!(
                    "Issued {} seconds ago, more than the configured maximum of {max}s.",
                    now.saturating_sub(iat)
                ),
            )
            .path("iat"),
        ),
        (Some(iat), Some(max)) => report.push(
            Finding::pass(
                "idtoken.iat_age",
                format!("{}s old (max {max}s).", now.saturating_sub(iat)),
            )
            .path("iat"),
        ),
        _ => report.push(
            Finding::skipped("idtoken.iat_age", "No maximum token age configured.").path("iat"),
        ),
    }
    match number(p.get("nbf")) {
        None if p.contains_key("nbf") => {
            report.push(Finding::fail("idtoken.nbf", "nbf is not a number.").path("nbf"))
        }
        None => {
            report.push(Finding::skipped("idtoken.nbf", "No nbf claim (optional).").path("nbf"))
        }
        Some(nbf) if now.saturating_add(leeway) >= nbf => {
            report.push(Finding::pass("idtoken.nbf", "Already valid.").path("nbf"))
        }
        Some(nbf) => report.push(
            Finding::fail(
                "idtoken.nbf",
                format!("Not valid for another {} seconds.", nbf.saturating_sub(now)),
            )
            .path("nbf")
            .actual(nbf.to_string()),
        ),
    }
    if let (Some(exp), Some(iat)) = (exp, iat) {
        let lifetime = exp.saturating_sub(iat);
        let note = match profile.and_then(|p| p.id_token_lifetime_secs) {
            Some(typical) => format!(
                " ({} tokens usually live {typical} s.)",
                profile.map(|p| p.name.as_str()).unwrap_or("")
            ),
            None => String::new(),
        };
        report.push(
            Finding::pass(
                "hint.token_lifetime",
                format!("exp − iat = {lifetime} s.{note}"),
            )
            .actual(lifetime.to_string()),
        );
    }
}

fn check_nonce(
    p: &Map<String, Value>,
    ctx: &IdTokenContext<'_>,
    from_tool: bool,
    report: &mut Report,
) {
    let nonce = p.get("nonce");
    match (nonce.and_then(Value::as_str), &ctx.expected_nonce) {
        // Security Framework §5.2.2 lists nonce for tool JWTs too, but platforms do not enforce it
        // on deep linking responses (Blackboard's documented example has none): a warning.
        (None, _) if from_tool && nonce.is_none() => report.push(
            Finding::fail("idtoken.nonce", "No nonce in this tool-originated message; the Security Framework expects one against replay.")
                .severity(Severity::Warning)
                .path("nonce")
                .actual("(missing)"),
        ),
        (None, _) => report.push(
            Finding::fail("idtoken.nonce", "nonce is missing or not a string.")
                .path("nonce")
                .actual(nonce.map(show).unwrap_or_else(|| "(missing)".into())),
        ),
        (Some(n), Some(exp)) if n == exp => {
            report.push(Finding::pass("idtoken.nonce", "Matches the nonce sent in the authentication request.").path("nonce").expected(exp).actual(n))
        }
        (Some(n), Some(exp)) => report.push(
            Finding::fail("idtoken.nonce", "The nonce is not the one this tool sent: the token answers another request.")
                .path("nonce")
                .expected(exp)
                .actual(n),
        ),
        (Some(n), None) => report.push(Finding::pass("idtoken.nonce", "Present (no stored nonce to compare it with).").path("nonce").actual(n)),
    }
    match ctx.nonce_seen_before {
        Some(true) => report.push(
            Finding::fail("idtoken.nonce_replay", "This nonce was already received: the id_token is being replayed (back button, double submit or an attack).")
                .path("nonce"),
        ),
        Some(false) => report.push(Finding::pass("idtoken.nonce_replay", "First time this nonce is seen.").path("nonce")),
        None => report.push(Finding::skipped("idtoken.nonce_replay", "No nonce store consulted.").path("nonce")),
    }
}

fn check_sub(
    p: &Map<String, Value>,
    ctx: &IdTokenContext<'_>,
    from_tool: bool,
    report: &mut Report,
) {
    match p.get("sub") {
        Some(Value::String(s)) => match ascii_id_problem(s, 255) {
            None => report.push(Finding::pass("idtoken.sub", "Present.").path("sub").actual(s)),
            Some(problem) => report.push(Finding::fail("idtoken.sub", format!("sub {problem}.")).path("sub").actual(s)),
        },
        Some(other) => report.push(Finding::fail("idtoken.sub", "sub must be a string.").path("sub").actual(show(other))),
        None if from_tool => report.push(Finding::skipped("idtoken.sub", "Tool-originated message: sub is not required.").path("sub")),
        None if ctx.policy.allow_anonymous_launch => {
            report.push(
                Finding::pass(
                    "idtoken.sub",
                    "No sub: treated as an anonymous launch (LTI Core §5.3.6.1) because policy allow_anonymous_launch is true.",
                )
                .severity(Severity::Info)
                .path("sub"),
            );
            report.push(
                Finding::fail(
                    "idtoken.anonymous",
                    "No sub: an anonymous launch. The spec allows it, but tools that need a user refuse it.",
                )
                .path("sub")
                .actual("(missing)"),
            );
        }
        None => report.push(
            Finding::fail("idtoken.sub", "No sub, and policy allow_anonymous_launch is false: anonymous launches are rejected.").path("sub").actual("(missing)"),
        ),
    }
}

fn check_user_claims(p: &Map<String, Value>, from_tool: bool, report: &mut Report) {
    let names = [
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "email",
        "picture",
        "locale",
    ];
    let bad: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| p.get(*n).is_some_and(|v| !v.is_string()))
        .collect();
    // LTI Core §5.3.6.1: an anonymous launch (no sub) carries no user identity claims; one that
    // does names the person the platform said it would not identify.
    let identity: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| *n != "locale" && p.contains_key(*n))
        .collect();
    if !from_tool && !p.contains_key("sub") && !identity.is_empty() {
        report.push(
            Finding::fail(
                "idtoken.user_claims",
                format!(
                    "An anonymous launch (no sub) carries user identity claims: {}. LTI Core §5.3.6.1: an anonymous launch identifies no user — either send sub or leave these out.",
                    identity.join(", ")
                ),
            )
            .path(identity[0])
            .expected("no identity claims without sub")
            .actual(identity.join(", ")),
        );
    } else if bad.is_empty() {
        let present = names.iter().filter(|n| p.contains_key(**n)).count();
        report.push(Finding::pass(
            "idtoken.user_claims",
            format!("{present} user claims present, all strings."),
        ));
    } else {
        report.push(
            Finding::fail(
                "idtoken.user_claims",
                format!("Not strings: {}.", bad.join(", ")),
            )
            .path(bad[0]),
        );
    }
}
