//! LTI 1.1 Basic Outcomes (LTI 1.1 Implementation Guide §6): POX XML requests
//! (`imsx_POXEnvelopeRequest` with replaceResult, readResult or deleteResult), their answers,
//! and the OAuth body hash that signs them (the OAuth Request Body Hash extension: SHA-1 of the
//! exact body bytes, base64, sent as `oauth_body_hash` in the Authorization header).
//!
//! The parser reads no DTD and expands no entity (only XML's five and character references):
//! a body with a DOCTYPE is refused, never fetched or expanded.

use aws_lc_rs::digest;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::finding::{Finding, Report};

pub const NS: &str = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0";
/// Bodies larger than this are not parsed (a grade is a few hundred bytes).
pub const MAX_BODY: usize = 1 << 20;

/// base64(SHA-1(body)): the `oauth_body_hash` of a body.
pub fn body_hash(body: &[u8]) -> String {
    STANDARD.encode(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, body).as_ref())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Replace,
    Read,
    Delete,
}

impl Operation {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "replace" | "replaceResult" => Some(Self::Replace),
            "read" | "readResult" => Some(Self::Read),
            "delete" | "deleteResult" => Some(Self::Delete),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Replace => "replaceResult",
            Self::Read => "readResult",
            Self::Delete => "deleteResult",
        }
    }
}

/// A request as parsed: what the operation needs, plus what the checks report on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoxRequest {
    pub message_id: Option<String>,
    /// The operation element's name (`replaceResultRequest`…).
    pub operation_element: Option<String>,
    pub sourcedid: Option<String>,
    /// resultScore/textString, as sent.
    pub score: Option<String>,
    pub language: Option<String>,
    /// resultData/text or resultData/url (an Canvas extension outcomes can carry).
    pub result_data: Option<String>,
    /// Bytes before the XML declaration (Open edX sends a newline there).
    pub leading_bytes: usize,
}

impl PoxRequest {
    pub fn operation(&self) -> Option<Operation> {
        self.operation_element
            .as_deref()
            .and_then(|e| e.strip_suffix("Request"))
            .and_then(Operation::parse)
    }
}

/// Reads a POX document's interesting values. Errors say why it is not one.
pub fn parse_request(body: &str) -> Result<PoxRequest, String> {
    if body.len() > MAX_BODY {
        return Err(format!(
            "the body is {} bytes (at most {MAX_BODY} are read)",
            body.len()
        ));
    }
    let trimmed = body.trim_start();
    let mut req = PoxRequest {
        leading_bytes: body.len() - trimmed.len(),
        ..Default::default()
    };
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut reader = Reader::from_str(trimmed);
    let mut root: Option<String> = None;
    loop {
        match reader.read_event() {
            Err(e) => {
                return Err(format!(
                    "not well-formed XML at byte {}: {e}",
                    reader.buffer_position()
                ))
            }
            Ok(Event::DocType(_)) => {
                return Err(
                    "the body declares a DOCTYPE: refused (no DTD is read and no entity expanded)"
                        .into(),
                )
            }
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_string();
                if path.last().map(String::as_str) == Some("imsx_POXBody")
                    && req.operation_element.is_none()
                {
                    req.operation_element = Some(name.clone());
                }
                root.get_or_insert_with(|| name.clone());
                path.push(name);
                text.clear();
            }
            Ok(Event::Empty(e)) => {
                let name = e.local_name().as_ref().to_string();
                if path.last().map(String::as_str) == Some("imsx_POXBody")
                    && req.operation_element.is_none()
                {
                    req.operation_element = Some(name);
                }
            }
            Ok(Event::Text(t)) => text.push_str(&t.into_inner()),
            Ok(Event::CData(t)) => text.push_str(&t.into_inner()),
            Ok(Event::GeneralRef(r)) => push_reference(&mut text, &r)?,
            Ok(Event::End(_)) => {
                let value = text.trim().to_string();
                let parent = path
                    .len()
                    .checked_sub(2)
                    .and_then(|i| path.get(i))
                    .map(String::as_str);
                match (parent, path.last().map(String::as_str)) {
                    (Some("imsx_POXRequestHeaderInfo"), Some("imsx_messageIdentifier")) => {
                        req.message_id = Some(value)
                    }
                    (Some("sourcedGUID"), Some("sourcedId")) => req.sourcedid = Some(value),
                    (Some("resultScore"), Some("textString")) => req.score = Some(value),
                    (Some("resultScore"), Some("language")) => req.language = Some(value),
                    (Some("resultData"), Some("text" | "url" | "ltiLaunchUrl")) => {
                        req.result_data = Some(value)
                    }
                    _ => {}
                }
                path.pop();
                text.clear();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
        }
    }
    match root.as_deref() {
        Some("imsx_POXEnvelopeRequest") => {}
        Some(other) => {
            return Err(format!(
                "the root element is {other}, not imsx_POXEnvelopeRequest"
            ))
        }
        None => return Err("no XML element at all".into()),
    }
    Ok(req)
}

/// A reference in text: a character reference or one of XML's five entities. Any other entity
/// is refused: no DTD is read, so nothing defines it (and nothing is ever expanded).
fn push_reference(text: &mut String, r: &quick_xml::events::BytesRef<'_>) -> Result<(), String> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => {
                text.push(c);
                Ok(())
            }
            _ => Err("an invalid character reference".into()),
        };
    }
    let c = match r.borrow().into_inner().as_ref() {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        other => {
            return Err(format!(
                "the entity &{other}; is not defined (entities are never expanded)"
            ))
        }
    };
    text.push(c);
    Ok(())
}

/// The checks of a parsed request, as the platform judges it (rules `lti11.outcome.*`).
pub fn check_request(req: &PoxRequest) -> Report {
    let mut r = Report::new();
    if req.leading_bytes > 0 {
        r.push(Finding::fail(
            "lti11.outcome.xml",
            format!("{} bytes (white space) come before the XML declaration: strict XML parsers reject the body; most platforms trim it.", req.leading_bytes),
        ).severity(crate::finding::Severity::Warning));
    } else {
        r.push(Finding::pass(
            "lti11.outcome.xml",
            "A well-formed imsx_POXEnvelopeRequest.",
        ));
    }
    match &req.message_id {
        Some(id) if !id.is_empty() => r.push(Finding::pass(
            "lti11.outcome.message_id",
            format!("imsx_messageIdentifier {id:?}."),
        )),
        _ => r.push(Finding::fail(
            "lti11.outcome.message_id",
            "No imsx_messageIdentifier: the answer cannot refer to the request.",
        )),
    }
    let op = req.operation();
    match (&req.operation_element, op) {
        (_, Some(o)) => r.push(Finding::pass(
            "lti11.outcome.operation",
            format!("{}.", o.name()),
        )),
        (Some(e), None) => r.push(
            Finding::fail(
                "lti11.outcome.operation",
                format!(
                    "{e} is not replaceResultRequest, readResultRequest or deleteResultRequest."
                ),
            )
            .actual(e.clone()),
        ),
        (None, None) => r.push(Finding::fail(
            "lti11.outcome.operation",
            "imsx_POXBody holds no operation.",
        )),
    }
    match req.sourcedid.as_deref() {
        Some(s) if !s.is_empty() => r.push(Finding::pass(
            "lti11.outcome.sourcedid",
            format!("sourcedId {s:?}."),
        )),
        _ => r.push(Finding::fail(
            "lti11.outcome.sourcedid",
            "No resultRecord/sourcedGUID/sourcedId: whose grade is it?",
        )),
    }
    if op == Some(Operation::Replace) {
        match req.score.as_deref().map(|s| (s, s.parse::<f64>())) {
            Some((_, Ok(v))) if (0.0..=1.0).contains(&v) => r.push(Finding::pass(
                "lti11.outcome.score",
                format!("Score {v} is in [0, 1]."),
            )),
            Some((s, Ok(_))) => r.push(
                Finding::fail(
                    "lti11.outcome.score",
                    format!("Score {s} is outside [0, 1] (a fraction of the maximum, not points)."),
                )
                .expected("0.0 to 1.0")
                .actual(s),
            ),
            Some((s, Err(_))) => r.push(
                Finding::fail(
                    "lti11.outcome.score",
                    format!("Score {s:?} is not a decimal number."),
                )
                .actual(s),
            ),
            None => r.push(Finding::fail(
                "lti11.outcome.score",
                "replaceResult without resultScore/textString.",
            )),
        }
    } else if req.score.is_some() {
        r.push(
            Finding::fail(
                "lti11.outcome.score",
                format!(
                    "{} carries a resultScore it does not use.",
                    op.map(Operation::name).unwrap_or("The operation")
                ),
            )
            .severity(crate::finding::Severity::Info),
        );
    }
    r
}

/// The request a tool sends.
pub fn request_xml(op: Operation, message_id: &str, sourcedid: &str, score: Option<f64>) -> String {
    let result = match (op, score) {
        (Operation::Replace, Some(s)) => format!(
            "<result><resultScore><language>en</language><textString>{s}</textString></resultScore></result>"
        ),
        _ => String::new(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<imsx_POXEnvelopeRequest xmlns=\"{NS}\"><imsx_POXHeader><imsx_POXRequestHeaderInfo><imsx_version>V1.0</imsx_version><imsx_messageIdentifier>{}</imsx_messageIdentifier></imsx_POXRequestHeaderInfo></imsx_POXHeader><imsx_POXBody><{op}Request><resultRecord><sourcedGUID><sourcedId>{}</sourcedId></sourcedGUID>{result}</resultRecord></{op}Request></imsx_POXBody></imsx_POXEnvelopeRequest>",
        xml_escape(message_id),
        xml_escape(sourcedid),
        op = op.name(),
    )
}

/// How an answer reports: success, failure (with severity error) or unsupported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeMajor {
    Success,
    Failure,
    Unsupported,
}

impl CodeMajor {
    fn name(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Unsupported => "unsupported",
        }
    }
}

/// What a platform answers: how it went, to which request, and for readResult the score.
pub struct Answer<'a> {
    pub code: CodeMajor,
    pub description: &'a str,
    /// This answer's own imsx_messageIdentifier.
    pub message_id: &'a str,
    /// The request's imsx_messageIdentifier.
    pub message_ref: &'a str,
    pub op: Option<Operation>,
    /// readResult: the stored score (None: no grade yet).
    pub read_score: Option<Option<f64>>,
}

/// The platform's answer.
pub fn response_xml(a: &Answer<'_>) -> String {
    let (code, description, message_ref, op, read_score) =
        (a.code, a.description, a.message_ref, a.op, a.read_score);
    let severity = if code == CodeMajor::Success {
        "status"
    } else {
        "error"
    };
    let op_name = op.map(Operation::name).unwrap_or("unknown");
    let body = match (op, read_score) {
        (Some(Operation::Read), Some(score)) if code == CodeMajor::Success => format!(
            "<readResultResponse><result><resultScore><language>en</language><textString>{}</textString></resultScore></result></readResultResponse>",
            score.map(|s| s.to_string()).unwrap_or_default()
        ),
        (Some(o), _) => format!("<{}Response/>", o.name()),
        (None, _) => String::new(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<imsx_POXEnvelopeResponse xmlns=\"{NS}\"><imsx_POXHeader><imsx_POXResponseHeaderInfo><imsx_version>V1.0</imsx_version><imsx_messageIdentifier>{}</imsx_messageIdentifier><imsx_statusInfo><imsx_codeMajor>{}</imsx_codeMajor><imsx_severity>{severity}</imsx_severity><imsx_description>{}</imsx_description><imsx_messageRefIdentifier>{}</imsx_messageRefIdentifier><imsx_operationRefIdentifier>{op_name}</imsx_operationRefIdentifier></imsx_statusInfo></imsx_POXResponseHeaderInfo></imsx_POXHeader><imsx_POXBody>{body}</imsx_POXBody></imsx_POXEnvelopeResponse>",
        xml_escape(a.message_id),
        code.name(),
        xml_escape(description),
        xml_escape(message_ref),
    )
}

/// An answer as parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoxResponse {
    pub code_major: Option<String>,
    pub severity: Option<String>,
    pub description: Option<String>,
    pub message_ref: Option<String>,
    pub score: Option<String>,
}

pub fn parse_response(body: &str) -> Result<PoxResponse, String> {
    if body.len() > MAX_BODY {
        return Err(format!("the body is {} bytes", body.len()));
    }
    let mut out = PoxResponse::default();
    let mut reader = Reader::from_str(body.trim_start());
    let mut current = String::new();
    let mut text = String::new();
    let mut seen_envelope = false;
    loop {
        match reader.read_event() {
            Err(e) => return Err(format!("not well-formed XML: {e}")),
            Ok(Event::DocType(_)) => return Err("the answer declares a DOCTYPE: refused".into()),
            Ok(Event::Start(e)) => {
                current = e.local_name().as_ref().to_string();
                seen_envelope |= current == "imsx_POXEnvelopeResponse";
                text.clear();
            }
            Ok(Event::Text(t)) => text.push_str(&t.into_inner()),
            Ok(Event::GeneralRef(r)) => push_reference(&mut text, &r)?,
            Ok(Event::End(_)) => {
                let v = text.trim().to_string();
                match current.as_str() {
                    "imsx_codeMajor" => out.code_major = Some(v),
                    "imsx_severity" => out.severity = Some(v),
                    "imsx_description" => out.description = Some(v),
                    "imsx_messageRefIdentifier" => out.message_ref = Some(v),
                    "textString" => out.score = Some(v),
                    _ => {}
                }
                current.clear();
                text.clear();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
        }
    }
    if !seen_envelope {
        return Err("not an imsx_POXEnvelopeResponse".into());
    }
    Ok(out)
}

/// What a tool checks in the platform's answer to its request `message_id`.
pub fn check_response(resp: &PoxResponse, message_id: &str) -> Report {
    let mut r = Report::new();
    match resp.code_major.as_deref() {
        Some("success") => r.push(Finding::pass(
            "lti11.outcome.response",
            format!(
                "codeMajor success{}.",
                resp.description
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            ),
        )),
        Some(c) => r.push(
            Finding::fail(
                "lti11.outcome.response",
                format!(
                    "codeMajor {c} (severity {}): {}",
                    resp.severity.as_deref().unwrap_or("?"),
                    resp.description.as_deref().unwrap_or("no description")
                ),
            )
            .actual(c),
        ),
        None => r.push(Finding::fail(
            "lti11.outcome.response",
            "The answer has no imsx_codeMajor.",
        )),
    }
    match resp.message_ref.as_deref() {
        Some(m) if m == message_id => r.push(Finding::pass(
            "lti11.outcome.message_id",
            "The answer refers to this request (imsx_messageRefIdentifier).",
        )),
        other => r.push(
            Finding::fail(
                "lti11.outcome.message_id",
                "imsx_messageRefIdentifier does not name this request's imsx_messageIdentifier.",
            )
            .expected(message_id)
            .actual(other.unwrap_or("(none)"))
            .severity(crate::finding::Severity::Warning),
        ),
    }
    r
}

/// What the platform checks of a signed outcomes request: the OAuth header's signature (with
/// the tool's secret) over POST and the URL, its timestamp, and that `oauth_body_hash` is the
/// body's (the body itself is not form parameters and so is not in the base string).
pub fn check_signature(
    auth_header: Option<&str>,
    url: &str,
    body: &[u8],
    secret: Option<&str>,
    now: i64,
) -> Report {
    use super::oauth1::{self, Method, SignedRequest};
    let mut r = Report::new();
    let Some(params) = auth_header.and_then(authorization_params) else {
        r.push(Finding::fail("lti11.outcome.signature", "No `Authorization: OAuth …` header: Basic Outcomes requests are signed with OAuth 1.0a and a body hash."));
        return r;
    };
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let hash = body_hash(body);
    match get("oauth_body_hash") {
        Some(h) if h == hash => r.push(Finding::pass("lti11.outcome.body_hash", "oauth_body_hash is the SHA-1 of the body.")),
        Some(h) => r.push(Finding::fail("lti11.outcome.body_hash", "oauth_body_hash is not the SHA-1 of the body received (changed on the way, or hashed before a final edit).").expected(hash).actual(h)),
        None => r.push(Finding::fail("lti11.outcome.body_hash", "No oauth_body_hash: the body is not covered by the signature.")),
    }
    match get("oauth_timestamp").and_then(|t| t.parse::<i64>().ok()) {
        Some(ts)
            if now
                .checked_sub(ts)
                .is_some_and(|d| d.abs() <= super::launch::TIMESTAMP_WINDOW) => {}
        Some(ts) => r.push(
            Finding::fail(
                "lti11.outcome.signature",
                "oauth_timestamp is outside the accepted window (a replay, or a clock off).",
            )
            .actual(ts.to_string()),
        ),
        None => r.push(Finding::fail(
            "lti11.outcome.signature",
            "No usable oauth_timestamp.",
        )),
    }
    let method = get("oauth_signature_method").and_then(Method::parse);
    let received = get("oauth_signature").unwrap_or_default().to_string();
    let query: Vec<(String, String)> = url::Url::parse(url)
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();
    match (secret, method) {
        (None, _) => r.push(Finding::fail(
            "lti11.outcome.signature",
            format!(
                "Consumer key {:?} is not one this platform knows.",
                get("oauth_consumer_key").unwrap_or_default()
            ),
        )),
        (_, None) => r.push(Finding::fail(
            "lti11.outcome.signature",
            "oauth_signature_method is not HMAC-SHA1 or HMAC-SHA256.",
        )),
        (Some(secret), Some(m)) => {
            let req = SignedRequest {
                http_method: "POST",
                url,
                alternative_urls: &[],
                query: &query,
                body: &params,
            };
            match oauth1::verify(&req, m, secret, &received) {
                Ok(v) if v.matches => r.push(Finding::pass(
                    "lti11.outcome.signature",
                    "The OAuth signature verifies with the tool's secret.",
                )),
                Ok(v) => r.push(
                    Finding::fail(
                        "lti11.outcome.signature",
                        format!(
                            "The OAuth signature does not match. {}",
                            v.cause
                                .map(|c| c.explain())
                                .unwrap_or_else(|| "Most likely a wrong secret.".into())
                        ),
                    )
                    .expected(v.computed)
                    .actual(v.received),
                ),
                Err(e) => r.push(Finding::fail("lti11.outcome.signature", e)),
            }
        }
    }
    r
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The OAuth parameters of an `Authorization: OAuth k="v", …` header (realm left out).
pub fn authorization_params(header: &str) -> Option<Vec<(String, String)>> {
    let rest = header.trim().strip_prefix("OAuth")?.trim_start();
    let mut out = Vec::new();
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        let v = v.trim().trim_matches('"');
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        if k.trim() != "realm" {
            out.push((k.trim().to_string(), decode(v)));
        }
    }
    Some(out)
}

/// An `Authorization: OAuth …` header for `params` (the oauth_* ones, signature included).
pub fn authorization_header(params: &[(String, String)]) -> String {
    let parts: Vec<String> = params
        .iter()
        .filter(|(k, _)| k.starts_with("oauth_"))
        .map(|(k, v)| {
            format!(
                "{}=\"{}\"",
                super::oauth1::encode(k),
                super::oauth1::encode(v)
            )
        })
        .collect();
    format!("OAuth {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Outcome, Verdict};

    #[test]
    fn a_request_round_trips() {
        let xml = request_xml(Operation::Replace, "m-1", "src<1>", Some(0.75));
        let req = parse_request(&xml).unwrap();
        assert_eq!(req.operation(), Some(Operation::Replace));
        assert_eq!(req.sourcedid.as_deref(), Some("src<1>"));
        assert_eq!(req.score.as_deref(), Some("0.75"));
        assert_eq!(req.message_id.as_deref(), Some("m-1"));
        assert_eq!(check_request(&req).verdict(), Verdict::Valid);
    }

    #[test]
    fn scores_outside_0_1_and_missing_parts_fail() {
        let req = parse_request(&request_xml(Operation::Replace, "m", "s", Some(1.5))).unwrap();
        assert!(check_request(&req).failed("lti11.outcome.score"));
        let req = parse_request(&request_xml(Operation::Replace, "m", "s", None)).unwrap();
        assert!(check_request(&req).failed("lti11.outcome.score"));
        let req = parse_request(&request_xml(Operation::Read, "", "", None)).unwrap();
        let r = check_request(&req);
        assert!(r.failed("lti11.outcome.message_id") && r.failed("lti11.outcome.sourcedid"));
    }

    #[test]
    fn hostile_xml_is_refused_without_expansion() {
        let doctype = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><imsx_POXEnvelopeRequest>&e;</imsx_POXEnvelopeRequest>";
        assert!(parse_request(doctype).unwrap_err().contains("DOCTYPE"));
        let entity =
            "<imsx_POXEnvelopeRequest><imsx_POXBody>&e;</imsx_POXBody></imsx_POXEnvelopeRequest>";
        assert!(parse_request(entity)
            .unwrap_err()
            .contains("never expanded"));
        assert!(parse_request("<a><b></a>").is_err());
        assert!(parse_request(&"x".repeat(MAX_BODY + 1)).is_err());
        assert!(parse_request("{\"json\": true}").is_err());
    }

    #[test]
    fn a_leading_newline_is_a_warning_not_a_refusal() {
        let xml = format!("\n{}", request_xml(Operation::Read, "m", "s", None));
        let req = parse_request(&xml).unwrap();
        assert_eq!(req.leading_bytes, 1);
        let r = check_request(&req);
        assert_eq!(r.verdict(), Verdict::Valid);
        assert_eq!(r.get("lti11.outcome.xml").unwrap().outcome, Outcome::Fail);
    }

    #[test]
    fn answers_are_written_and_read() {
        let answer = |code, description, op, read_score| {
            response_xml(&Answer {
                code,
                description,
                message_id: "r-1",
                message_ref: "m-9",
                op,
                read_score,
            })
        };
        let xml = answer(
            CodeMajor::Success,
            "Score read",
            Some(Operation::Read),
            Some(Some(0.5)),
        );
        let resp = parse_response(&xml).unwrap();
        assert_eq!(resp.code_major.as_deref(), Some("success"));
        assert_eq!(resp.score.as_deref(), Some("0.5"));
        assert_eq!(check_response(&resp, "m-9").verdict(), Verdict::Valid);
        let failed = parse_response(&answer(
            CodeMajor::Failure,
            "bad & wrong",
            Some(Operation::Replace),
            None,
        ))
        .unwrap();
        assert_eq!(failed.description.as_deref(), Some("bad & wrong"));
        assert!(check_response(&failed, "m-9").failed("lti11.outcome.response"));
        assert!(check_response(&resp, "another-request").failed("lti11.outcome.message_id"));
    }

    #[test]
    fn signed_requests_are_checked() {
        use crate::lti11::oauth1::{Method, Signer};
        let url = "http://127.0.0.1:4470/lti11/outcomes";
        let body = request_xml(Operation::Replace, "m", "s", Some(0.5));
        let signed = Signer {
            method: Method::HmacSha1,
            key: "k",
            secret: "sec",
        }
        .sign_params(
            "POST",
            url,
            &[("oauth_body_hash".into(), body_hash(body.as_bytes()))],
            "n",
            1_000,
        )
        .unwrap();
        let header = authorization_header(&signed);
        assert_eq!(
            check_signature(Some(&header), url, body.as_bytes(), Some("sec"), 1_010).verdict(),
            Verdict::Valid
        );
        let r = check_signature(Some(&header), url, b"<changed/>", Some("sec"), 1_010);
        assert!(r.failed("lti11.outcome.body_hash") && !r.failed("lti11.outcome.signature"));
        assert!(
            check_signature(Some(&header), url, body.as_bytes(), Some("other"), 1_010)
                .failed("lti11.outcome.signature")
        );
        assert!(
            check_signature(Some(&header), url, body.as_bytes(), Some("sec"), 99_999)
                .failed("lti11.outcome.signature")
        );
        assert!(
            check_signature(None, url, body.as_bytes(), Some("sec"), 1_010)
                .failed("lti11.outcome.signature")
        );
    }

    #[test]
    fn the_body_hash_and_header_round_trip() {
        // RFC: SHA-1 of "Hello World!" = 2ef7bde608ce5404e97d5f042f95f89f1c232871.
        assert_eq!(body_hash(b"Hello World!"), "Lve95gjOVATpfV8EL5X4nxwjKHE=");
        let params = vec![
            ("oauth_consumer_key".to_string(), "k y".to_string()),
            ("oauth_body_hash".into(), "a+b/c=".into()),
        ];
        let header = authorization_header(&params);
        assert_eq!(authorization_params(&header).unwrap(), params);
        assert_eq!(
            authorization_params("OAuth realm=\"\", oauth_nonce=\"n\"").unwrap(),
            vec![("oauth_nonce".to_string(), "n".to_string())]
        );
        assert!(authorization_params("Bearer x").is_none());
    }
}
