//! `inspect`: validate a pasted token, claims, form body or HAR file without a server.

use anyhow::Context;

use crate::Format;

/// `inspect`'s arguments.
#[derive(clap::Args)]
pub(crate) struct InspectArgs {
    /// The platform's keys: a JWKS/JWK/PEM file, or a JWKS URL.
    #[arg(long)]
    jwks: Option<String>,
    /// The tool's keys (same forms), for what the tool signs: deep linking responses.
    #[arg(long)]
    tool_jwks: Option<String>,
    /// Expected issuer.
    #[arg(long)]
    issuer: Option<String>,
    /// The tool's client_id (enables aud/azp checks).
    #[arg(long)]
    client_id: Option<String>,
    /// A known deployment id (repeatable).
    #[arg(long = "deployment-id")]
    deployment_ids: Vec<String>,
    /// The nonce the tool sent.
    #[arg(long)]
    nonce: Option<String>,
    /// Validate as of this time: Unix seconds or RFC 3339. Default: now (HAR: each step's time).
    #[arg(long)]
    at: Option<String>,
    /// LTI 1.1: the consumer key the --secret belongs to.
    #[arg(long)]
    key: Option<String>,
    /// LTI 1.1: the shared secret to verify the OAuth signature with (or the environment
    /// variable, which keeps it out of process lists and shell history).
    #[arg(long, env = "LTI_INSPECTOR_LTI11_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// LTI 1.1: the launch URL the consumer signed (HAR entries: their own URL by default).
    #[arg(long)]
    url: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Text output: print claim values whole (they are cut at 100 characters otherwise).
    #[arg(long)]
    whole: bool,
    /// Every MUST is an error, even when every measured tool library accepts it (by default
    /// such a finding is a warning that says so; see docs/RULES.md, "Verdicts").
    #[arg(long)]
    strict: bool,
    /// A file, or `-` for standard input.
    input: String,
}

pub(crate) fn inspect_cmd(args: InspectArgs) -> anyhow::Result<std::process::ExitCode> {
    let InspectArgs {
        jwks,
        tool_jwks,
        issuer,
        client_id,
        deployment_ids,
        nonce,
        at,
        key,
        secret,
        url,
        format,
        whole,
        strict,
        input,
    } = args;
    use lti_protocol::inspect::{self, InspectOptions};
    use std::io::Read;
    let text = if input == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading standard input")?;
        s
    } else {
        match std::fs::read(&input) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                eprintln!("error: cannot read {input}: {e}");
                return Ok(std::process::ExitCode::from(2));
            }
        }
    };
    let at = match at.as_deref().map(parse_time) {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            eprintln!("error: --at: {e}");
            return Ok(std::process::ExitCode::from(2));
        }
        None => None,
    };
    let load = |flag: &str, src: Option<String>| {
        src.as_deref()
            .map(load_jwks)
            .transpose()
            .map_err(|e| eprintln!("error: {flag}: {e:#}"))
    };
    let (Ok(jwks), Ok(tool_jwks)) = (load("--jwks", jwks), load("--tool-jwks", tool_jwks)) else {
        return Ok(std::process::ExitCode::from(2));
    };
    let opts = InspectOptions {
        jwks,
        issuer,
        client_id,
        deployment_ids: (!deployment_ids.is_empty()).then_some(deployment_ids),
        nonce,
        tool_jwks,
        at,
        oauth_key: key,
        oauth_secret: secret,
        launch_url: url,
        strict,
    };
    match inspect::inspect(&text, &opts, lti_core::clock::now_secs()) {
        Ok(out) => {
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&out)?),
                Format::Text => print!(
                    "{}",
                    inspect::render_text_clipped(&out, (!whole).then_some(100))
                ),
            }
            Ok(std::process::ExitCode::from(out.exit_code()))
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(std::process::ExitCode::from(2))
        }
    }
}

fn parse_time(s: &str) -> anyhow::Result<i64> {
    if let Ok(n) = s.trim().parse::<i64>() {
        return Ok(n);
    }
    time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| anyhow::anyhow!("{s:?} is neither Unix seconds nor RFC 3339: {e}"))
}

/// The most a `--jwks` URL may answer (issue 9, item 11).
const MAX_JWKS_BYTES: usize = 1024 * 1024;

fn load_jwks(src: &str) -> anyhow::Result<lti_protocol::jwk::Jwks> {
    let text = if src.starts_with("http://") || src.starts_with("https://") {
        let rt = tokio::runtime::Runtime::new()?;
        rt.block_on(async {
            let mut res = reqwest::Client::new()
                .get(src)
                .timeout(std::time::Duration::from_secs(10))
                .send()
                .await?
                .error_for_status()?;
            // A key set is a few KiB; a URL that streams without end must not fill memory.
            let mut body = Vec::new();
            while let Some(chunk) = res.chunk().await? {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_JWKS_BYTES {
                    anyhow::bail!(
                        "{src} answered more than {} KiB: not a key set",
                        MAX_JWKS_BYTES / 1024
                    );
                }
            }
            anyhow::Ok(String::from_utf8_lossy(&body).into_owned())
        })?
    } else {
        std::fs::read_to_string(src).with_context(|| format!("reading {src}"))?
    };
    Ok(lti_tool_side::registrations::parse_public_key(&text)?)
}
