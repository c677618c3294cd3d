//! What to expect when a recorded LTI request is sent again (issue 11, item 3): most LTI
//! messages are single-use or short-lived on purpose, so a verbatim re-send is often refused —
//! and that refusal must read as expected, not as a mystery. Read from the request alone (no
//! signature check): its id_token's exp and nonce, its state and cookies, a client assertion's
//! exp and jti, an OAuth 1.0a timestamp, a bearer token.

use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::compat;
use crate::jws::Jws;

/// One thing the receiver is likely to say about the re-sent request.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Expectation {
    /// The catalog rule a receiver applies here, when there is one.
    #[ts(optional = nullable)]
    pub rule: Option<String>,
    /// Whether a receiver that follows the spec refuses the request for this.
    pub refusal: bool,
    pub text: String,
}

/// What the request carries, as the re-send would send it.
pub struct Request<'a> {
    /// Query parameters followed by form fields.
    pub params: &'a [(String, String)],
    /// Names of the cookies sent; None when the request has no Cookie header at all.
    pub cookies: Option<Vec<String>>,
    /// The Authorization header's scheme ("Bearer"), when one is sent.
    pub authorization: Option<String>,
    /// Unix seconds now.
    pub now: i64,
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// "12 min", "3 h", "2 days": how long ago a time was, in words.
fn ago(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// Who refused this case in the measured matrix, as a sentence's end ("" when unmeasured).
fn measured(case: &str) -> String {
    let (refused, accepted) = compat::who_refuses(case);
    match (refused.is_empty(), accepted.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!(" Measured: {} refuse it.", refused.join(", ")),
        (true, false) => format!(" Measured: {} accept it.", accepted.join(", ")),
        (false, false) => format!(
            " Measured: {} refuse it; {} accept it.",
            refused.join(", "),
            accepted.join(", ")
        ),
    }
}

/// The expectations for a token a receiver checks: exp (rule `exp_rule`), and a nonce or jti
/// that was used by the request this one was recorded from.
fn token_times(
    out: &mut Vec<Expectation>,
    what: &str,
    claims: &Map<String, Value>,
    now: i64,
    exp_rule: &str,
) {
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp < now => out.push(Expectation {
            rule: Some(exp_rule.into()),
            refusal: true,
            text: format!(
                "The {what} expired {} ago (exp {exp}): a receiver that checks exp refuses it.{}",
                ago(now.saturating_sub(exp)),
                if exp_rule == "idtoken.exp" {
                    measured("idtoken.exp")
                } else {
                    String::new()
                }
            ),
        }),
        Some(exp) => out.push(Expectation {
            rule: Some(exp_rule.into()),
            refusal: false,
            text: format!(
                "The {what} is still within its lifetime (expires in {}).",
                ago(exp.saturating_sub(now))
            ),
        }),
        None => {}
    }
}

/// What a receiver is expected to say about this request sent again.
pub fn expectations(req: &Request) -> Vec<Expectation> {
    let p = req.params;
    let mut out = Vec::new();
    if let Some(token) = param(p, "id_token").or_else(|| param(p, "JWT")) {
        let is_dl = param(p, "JWT").is_some();
        let what = if is_dl {
            "deep linking response"
        } else {
            "id_token"
        };
        match Jws::parse(token) {
            Ok(jws) => {
                token_times(&mut out, what, &jws.payload, req.now, "idtoken.exp");
                if let Some(nonce) = jws.payload.get("nonce").and_then(Value::as_str) {
                    out.push(Expectation {
                        rule: Some("idtoken.nonce_replay".into()),
                        refusal: true,
                        text: format!(
                            "Its nonce {nonce:?} was used by the launch this was recorded from: a tool that remembers nonces refuses it as a replay (OIDC Core §3.1.3.7, LTI Security Framework §5.1.3).{}",
                            if is_dl { String::new() } else { measured("idtoken.nonce_replay") }
                        ),
                    });
                }
            }
            Err(e) => out.push(Expectation {
                rule: Some("jwt.format".into()),
                refusal: true,
                text: format!("The {what} cannot be read ({e}): any receiver refuses it."),
            }),
        }
        if !is_dl {
            if let Some(state) = param(p, "state") {
                out.push(match &req.cookies {
                    Some(names) if !names.is_empty() => Expectation {
                        rule: Some("response.state".into()),
                        refusal: true,
                        text: format!(
                            "state {state:?} goes with the cookies recorded with it ({}), but it was issued for one login: a tool that keeps each state for one login (ltijs, atomic-lti, this inspector's tool side) refuses it once used; one that only compares it with its cookie (PyLTI1p3) accepts it.",
                            names.join(", ")
                        ),
                    },
                    _ => Expectation {
                        rule: Some("response.state".into()),
                        refusal: true,
                        text: format!(
                            "state {state:?} goes without a cookie (none was recorded: a sanitized HAR, or a browser that withheld a cross-site cookie): a tool that checks its state cookie refuses it.{}",
                            measured("response.state")
                        ),
                    },
                });
            }
        }
    } else if param(p, "iss").is_some() && param(p, "login_hint").is_some() {
        out.push(Expectation {
            rule: None,
            refusal: false,
            text: "A login initiation can be sent again: the tool starts a new login with a new state and nonce.".into(),
        });
    } else if param(p, "response_type").is_some() && param(p, "scope").is_some() {
        out.push(Expectation {
            rule: None,
            refusal: false,
            text: "An authentication request: the platform answers it again only for a user whose session it recognises (its cookies), with a new id_token for the same state and nonce.".into(),
        });
    } else if let Some(assertion) = param(p, "client_assertion") {
        match Jws::parse(assertion) {
            Ok(jws) => {
                token_times(
                    &mut out,
                    "client assertion",
                    &jws.payload,
                    req.now,
                    "token.exp",
                );
                if jws.payload.get("jti").is_some() {
                    out.push(Expectation {
                        rule: Some("token.jti_replay".into()),
                        refusal: true,
                        text: "Its jti was used by the token request this was recorded from: a platform that remembers jtis (this inspector's emulator does) refuses it.".into(),
                    });
                }
            }
            Err(e) => out.push(Expectation {
                rule: None,
                refusal: true,
                text: format!("The client assertion cannot be read ({e})."),
            }),
        }
    } else if param(p, "oauth_signature").is_some() {
        if let Some(ts) = param(p, "oauth_timestamp").and_then(|t| t.parse::<i64>().ok()) {
            let age = req.now.saturating_sub(ts);
            out.push(Expectation {
                rule: Some("lti11.timestamp".into()),
                refusal: age > 600,
                text: if age > 600 {
                    format!("Its oauth_timestamp is {} old: OAuth 1.0a providers refuse old timestamps (oauthlib: after 10 min) and used oauth_nonce values.", ago(age))
                } else {
                    "Its oauth_nonce was used by the launch this was recorded from: a provider that remembers nonces refuses it.".into()
                },
            });
        }
    }
    if req
        .authorization
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("bearer"))
    {
        out.push(Expectation {
            rule: None,
            refusal: false,
            text: "It carries the bearer token recorded with it: platforms issue them for a limited time (often an hour), so an expired or revoked one is answered 401.".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: Value) -> String {
        use base64::Engine as _;
        let b = |v: &Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
        };
        format!(
            "{}.{}.c2ln",
            b(&serde_json::json!({"alg": "RS256"})),
            b(&claims)
        )
    }

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn an_id_token_post_sent_again_expects_its_exp_nonce_and_state_refusals() {
        let now = 1_800_000_000;
        let t = token(serde_json::json!({"iss": "i", "exp": now - 3600, "nonce": "n-1"}));
        let p = params(&[("id_token", &t), ("state", "s-1")]);
        let got = expectations(&Request {
            params: &p,
            cookies: None,
            authorization: None,
            now,
        });
        let rules: Vec<_> = got.iter().map(|e| e.rule.as_deref().unwrap()).collect();
        assert_eq!(
            rules,
            ["idtoken.exp", "idtoken.nonce_replay", "response.state"]
        );
        assert!(got.iter().all(|e| e.refusal));
        assert!(
            got[0].text.contains("expired 60 min ago"),
            "{}",
            got[0].text
        );
        // The measured matrix names who refuses a replay.
        assert!(got[1].text.contains("Measured:"), "{}", got[1].text);
        assert!(got[2].text.contains("without a cookie"));

        // Fresh, with its cookie: the lifetime is fine and the state may pass.
        let t = token(serde_json::json!({"iss": "i", "exp": now + 200, "nonce": "n-1"}));
        let p = params(&[("id_token", &t), ("state", "s-1")]);
        let got = expectations(&Request {
            params: &p,
            cookies: Some(vec!["lti_state".into()]),
            authorization: None,
            now,
        });
        assert!(!got[0].refusal && got[0].text.contains("expires in 3 min"));
        assert!(got[2].refusal && got[2].text.contains("lti_state"));
    }

    #[test]
    fn other_requests_say_what_applies_to_them() {
        let now = 1_800_000_000;
        let say = |pairs: &[(&str, &str)], auth: Option<&str>| {
            let p = params(pairs);
            expectations(&Request {
                params: &p,
                cookies: None,
                authorization: auth.map(str::to_string),
                now,
            })
        };
        assert!(say(&[("iss", "i"), ("login_hint", "h")], None)[0]
            .text
            .contains("new state and nonce"));
        let assertion = token(serde_json::json!({"exp": now - 10, "jti": "j"}));
        let got = say(
            &[
                ("grant_type", "client_credentials"),
                ("client_assertion", &assertion),
            ],
            None,
        );
        assert_eq!(got.len(), 2);
        assert!(got[0].refusal && got[1].text.contains("jti"));
        let old = (now - 3600).to_string();
        let got = say(&[("oauth_signature", "x"), ("oauth_timestamp", &old)], None);
        assert!(got[0].refusal && got[0].text.contains("60 min old"));
        let got = say(&[], Some("Bearer"));
        assert!(got[0].text.contains("401"));
        assert!(say(&[], None).is_empty());
        // A broken token is named as such, not guessed about.
        let got = say(&[("id_token", "not.a-token")], None);
        assert_eq!(got[0].rule.as_deref(), Some("jwt.format"));
    }

    #[test]
    fn every_rule_named_is_in_the_catalog() {
        let src = include_str!("resend.rs");
        let named: Vec<&str> = src
            .split("Some(\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .filter(|r| r.contains('.') && !r.contains(' '))
            .collect();
        assert!(named.len() >= 6, "{named:?}");
        for r in named {
            assert!(crate::rules::get(r).is_some(), "{r} is not a catalog rule");
        }
    }
}
