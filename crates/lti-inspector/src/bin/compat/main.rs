//! `compat`: measures what real LTI tool libraries accept. It plays the platform (a JWKS on
//! loopback and signed launches) and sends every case of `cases.rs` — the emulator's negative
//! tests and every catalog rule a launch can break — through the OIDC login and form post of
//! each library's tool, records accepted or refused with the library's own words, and writes the
//! matrix the validators, `inspect`, the UI and docs/RULES.md quote
//! (crates/lti-protocol/src/compat.json). `--check` compares a fresh run with that file instead.
//!
//! The tools are started and configured with this platform by tests/compat/run.py
//! (`make compat`), which also passes `--listen` and the `--peer`s.

mod cases;
mod launch;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;

use axum::extract::Path;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use lti_protocol::compat::{CaseResult, Library, LibraryResult, Matrix};
use lti_protocol::finding::{Outcome, Report};
use lti_protocol::jwk::Jwks;
use lti_protocol::keys::SigningKey;
use lti_protocol::validate::{
    self, FormPostContext, IdTokenContext, LoginView, RegistrationView, StateCheck,
};

use launch::{Peer, Platform, Sent};

#[derive(Parser)]
#[command(about = "Measure which launches real LTI tool libraries accept")]
struct Args {
    /// Where the harness serves the platform's JWKS (its issuer is http://ADDR).
    #[arg(long)]
    listen: SocketAddr,
    #[arg(long, default_value = "compat-client")]
    client_id: String,
    #[arg(long, default_value = "compat-deployment-1")]
    deployment_id: String,
    #[arg(long, default_value = "compat-deployment-2")]
    other_deployment_id: String,
    /// A tool under test: NAME|VERSION|LOGIN_URL|TARGET_LINK_URI (repeat).
    #[arg(long = "peer", required = true)]
    peers: Vec<String>,
    /// Write the matrix to this file.
    #[arg(long, conflicts_with = "check")]
    write: Option<String>,
    /// Compare a fresh run with this file; exit 1 on any difference.
    #[arg(long)]
    check: Option<String>,
    /// Only cases whose id starts with this (for debugging one case).
    #[arg(long)]
    only: Option<String>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = Args::parse();
    let key = SigningKey::generate()?;
    let jwks = Jwks {
        keys: vec![key.public_jwk()],
    };
    let served = Arc::new(jwks.clone());
    let issuer = format!("http://{}", args.listen);
    let answers: Arc<BTreeMap<String, serde_json::Value>> = Arc::new(
        cases::services()
            .iter()
            .map(|c| {
                let mut body = cases::valid_answer(c.service, &answer_url(&issuer, c));
                (c.apply)(&mut body);
                (c.id.to_string(), body)
            })
            .collect(),
    );
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .context("bind --listen")?;
    let app = Router::new()
        .route("/jwks", get(move || async move { Json((*served).clone()) }))
        // Service answers: any client assertion gets a token (what is measured is what the
        // library does with the answer), each case's answer at its own URL.
        .route("/token", post(|| async { Json(TOKEN_ANSWER.clone()) }))
        .route(
            "/svc/{case}/{what}",
            get(move |Path((case, what)): Path<(String, String)>| {
                let answers = answers.clone();
                async move { service_answer(&answers, &case, &what) }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let platform = Platform {
        issuer: issuer.clone(),
        client_id: args.client_id.clone(),
        deployment_id: args.deployment_id.clone(),
        other_deployment_id: args.other_deployment_id.clone(),
        key,
    };
    let peers = args
        .peers
        .iter()
        .map(|p| {
            let parts: Vec<&str> = p.split('|').collect();
            match parts.as_slice() {
                [name, version, login, target] => Ok(Peer {
                    name: name.to_string(),
                    version: version.to_string(),
                    login_url: login.to_string(),
                    target_link_uri: target.to_string(),
                }),
                _ => bail!("--peer wants NAME|VERSION|LOGIN_URL|TARGET_LINK_URI, got {p}"),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(20))
        .build()?;

    let mut matrix = Matrix {
        about: "What real LTI tool libraries do with launches that break one rule each, measured over loopback by `make compat` (crates/lti-inspector/src/bin/compat). Regenerate with `make compat`; `make test` fails when a fresh run disagrees.".into(),
        libraries: peers.iter().map(|p| Library { name: p.name.clone(), version: p.version.clone() }).collect(),
        cases: Vec::new(),
    };
    let mut problems = Vec::new();
    for case in cases::all() {
        if args
            .only
            .as_deref()
            .is_some_and(|o| !case.id.starts_with(o))
        {
            continue;
        }
        let mut results = Vec::new();
        let mut mode = None;
        for peer in &peers {
            let (outcome, sent) = launch::run(&http, &platform, peer, &case)
                .await
                .with_context(|| format!("case {} into {}", case.id, peer.name))?;
            let (problem, our_mode) = our_check(&case, &platform, &jwks, &sent);
            if let Some(p) = problem {
                problems.push(format!("{} ({}): {p}", case.id, peer.name));
            }
            mode = mode.or(our_mode);
            results.push(answered(case.id, peer, outcome));
        }
        if case.id == cases::CONTROL && results.iter().any(|r| !r.accepted) {
            bail!(
                "the valid launch was refused, so nothing else can be measured: {:?}",
                results
                    .iter()
                    .map(|r| (&r.library, &r.message))
                    .collect::<Vec<_>>()
            );
        }
        matrix.cases.push(CaseResult {
            id: case.id.into(),
            rule: case.rule.into(),
            change: case.change.into(),
            control: case.expect_pass,
            service: false,
            mode: mode.map(str::to_string),
            baseline: Some(cases::baseline(case.id))
                .filter(|b| *b != cases::CONTROL && *b != case.id)
                .map(str::to_string),
            results,
        });
    }
    for case in cases::services() {
        if args
            .only
            .as_deref()
            .is_some_and(|o| !case.id.starts_with(o))
        {
            continue;
        }
        let url = answer_url(&issuer, &case);
        let mut results = Vec::new();
        for peer in &peers {
            let outcome = launch::service(&http, &issuer, peer, case.service, &url)
                .await
                .with_context(|| format!("case {} into {}", case.id, peer.name))?;
            results.push(answered(case.id, peer, outcome));
        }
        let (problem, mode) = our_service_check(&case, &issuer);
        if let Some(p) = problem {
            problems.push(format!("{}: {p}", case.id));
        }
        matrix.cases.push(CaseResult {
            id: case.id.into(),
            rule: case.rule.into(),
            change: case.change.into(),
            control: case.control,
            service: true,
            baseline: Some(cases::service_baseline(case.service))
                .filter(|b| *b != case.id)
                .map(str::to_string),
            mode: mode.map(str::to_string),
            results,
        });
    }
    if !problems.is_empty() {
        bail!(
            "cases that no longer exercise their rule in our own validator:\n  {}",
            problems.join("\n  ")
        );
    }
    if let Some(path) = &args.write {
        std::fs::write(path, matrix.to_json() + "\n").with_context(|| format!("write {path}"))?;
        eprintln!(
            "wrote {} cases × {} libraries to {path}",
            matrix.cases.len(),
            peers.len()
        );
    }
    if let Some(path) = &args.check {
        let stored =
            Matrix::parse(&std::fs::read_to_string(path)?).context("parse the stored matrix")?;
        let diff = stored.differences(&matrix);
        if !diff.is_empty() {
            bail!(
                "a fresh run disagrees with {path} ({} differences) — a library changed, or a case did; rerun `make compat` and review:\n  {}",
                diff.len(),
                diff.join("\n  ")
            );
        }
        eprintln!(
            "{path} agrees with a fresh run ({} cases × {} libraries)",
            matrix.cases.len(),
            peers.len()
        );
    }
    Ok(())
}

/// One library's answer to one case: printed as it comes, kept for the matrix.
fn answered(case_id: &str, peer: &Peer, outcome: launch::Outcome) -> LibraryResult {
    eprintln!(
        "{case_id:<44} {:<10} {}",
        peer.name,
        if outcome.accepted {
            "accepted".to_string()
        } else {
            format!("refused  {}", outcome.message)
        }
    );
    LibraryResult {
        library: peer.name.clone(),
        accepted: outcome.accepted,
        message: outcome.message,
    }
}

/// What the harness's token endpoint answers any client assertion.
static TOKEN_ANSWER: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(|| {
    serde_json::json!({
        "access_token": "compat-token", "token_type": "Bearer", "expires_in": 3600,
        "scope": "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    })
});

fn service_answer(
    answers: &BTreeMap<String, serde_json::Value>,
    case: &str,
    what: &str,
) -> axum::response::Response {
    let media = if what == "memberships" {
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    } else {
        "application/vnd.ims.lis.v2.lineitemcontainer+json"
    };
    match answers.get(case) {
        Some(body) => (
            [(axum::http::header::CONTENT_TYPE, media)],
            body.to_string(),
        )
            .into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

fn answer_url(issuer: &str, case: &cases::ServiceCase) -> String {
    let what = match case.service {
        cases::Service::Nrps => "memberships",
        cases::Service::Ags => "lineitems",
    };
    format!("{issuer}/svc/{}/{what}", case.id)
}

/// Our own checks of the same answer (what the service client of the tool side runs): a case
/// must fail its rule, a control pass it. Returns the problem, and how the case broke the rule.
fn our_service_check(
    case: &cases::ServiceCase,
    issuer: &str,
) -> (Option<String>, Option<&'static str>) {
    let mut body = cases::valid_answer(case.service, &answer_url(issuer, case));
    (case.apply)(&mut body);
    let mut report = Report::new();
    match case.service {
        cases::Service::Nrps => lti_protocol::service_answers::membership(&body, &mut report),
        cases::Service::Ags => {
            for (i, item) in body.as_array().into_iter().flatten().enumerate() {
                lti_protocol::service_answers::line_item(item, &format!("[{i}]"), &mut report);
            }
        }
    }
    let failed = report
        .findings
        .iter()
        .find(|f| f.rule_id == case.rule && f.outcome == Outcome::Fail);
    let problem = match (case.control, failed.is_some()) {
        (false, false) => Some(format!("expected {} to fail; it did not", case.rule)),
        (true, true) => Some(format!("expected {} to pass; it failed", case.rule)),
        _ => None,
    };
    (
        problem,
        failed
            .filter(|_| !case.control)
            .map(lti_protocol::compat::mode_of),
    )
}

/// Our own validator on the same launch: the case must fail its rule (or pass it, for cases
/// measured for the record), and the control case must be valid. Returns the problem when it
/// does not, and how the case broke its rule (compat::mode_of).
fn our_check(
    case: &cases::Case,
    platform: &Platform,
    jwks: &Jwks,
    sent: &Sent,
) -> (Option<String>, Option<&'static str>) {
    let mut report = Report::new();
    let mut fields = vec![("state".to_string(), sent.state_sent.clone())];
    if let Some(t) = &sent.id_token {
        fields.push(("id_token".to_string(), t.clone()));
    }
    report.extend(validate::form_post(
        &fields,
        &FormPostContext {
            expected_state: Some(sent.state_issued.clone()),
        },
    ));
    let mut verdict = None;
    if let Some(t) = &sent.id_token {
        let ctx = IdTokenContext {
            now: sent.now,
            registration: Some(RegistrationView {
                issuer: platform.issuer.clone(),
                client_id: platform.client_id.clone(),
                deployment_ids: Some(vec![
                    platform.deployment_id.clone(),
                    platform.other_deployment_id.clone(),
                ]),
                trusted_audiences: None,
                redirect_uris: None,
            }),
            jwks: Some(jwks),
            expected_nonce: Some(sent.nonce.clone()),
            nonce_seen_before: Some(case.id == "idtoken.nonce_replay"),
            login: Some(LoginView {
                iss: Some(platform.issuer.clone()),
                login_hint: Some("compat-user-1".into()),
                target_link_uri: Some(sent.target_link_uri.clone()),
                lti_message_hint: Some("compat-hint".into()),
                lti_deployment_id: Some(sent.login_deployment_id.clone()),
                client_id: Some(platform.client_id.clone()),
            }),
            state: Some(StateCheck {
                expected: Some(sent.state_issued.clone()),
                received: Some(sent.state_sent.clone()),
            }),
            skip_explain: true,
            ..IdTokenContext::default()
        };
        let r = validate::id_token(t, &ctx);
        verdict = Some(r.verdict);
        report.extend(r.report);
    }
    let failed = report
        .findings
        .iter()
        .find(|f| f.rule_id == case.rule && f.outcome == Outcome::Fail);
    if case.id == cases::CONTROL {
        let bad: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.outcome == Outcome::Fail)
            .map(|f| format!("{} {}", f.rule_id, f.message))
            .collect();
        return (
            (!bad.is_empty() || verdict != Some(lti_protocol::finding::Verdict::Valid))
                .then(|| format!("the valid launch is not clean: {bad:?}")),
            None,
        );
    }
    let mode = failed
        .filter(|_| !case.expect_pass)
        .map(lti_protocol::compat::mode_of);
    let problem = match (case.expect_pass, failed.is_some()) {
        (false, false) => Some(format!("expected {} to fail; it did not", case.rule)),
        (true, true) => Some(format!("expected {} to pass; it failed", case.rule)),
        _ => None,
    };
    (problem, mode)
}
