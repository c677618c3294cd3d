//! `inspect`: validate a pasted token, claims, form body or HAR file without a server.

use anyhow::Context;

use crate::Format;

#[allow(clippy::too_many_arguments)]
pub(crate) fn inspect_cmd(
    jwks: Option<String>,
    tool_jwks: Option<String>,
    issuer: Option<String>,
    client_id: Option<String>,
    deployment_ids: Vec<String>,
    nonce: Option<String>,
    at: Option<String>,
    format: Format,
    whole: bool,
    input: String,
) -> anyhow::Result<std::process::ExitCode> {
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
