//! Recording what the emulator saw: each request's findings about the tool become a message of
//! the request's flow (created here when the request starts one), so the Timeline shows the
//! emulator's side of a launch or a service session with a verdict, like the tool side's.

use lti_protocol::finding::Report;
use serde_json::{json, Map, Value};

use lti_core::messages::{self, Param, StoredMessage};
use lti_core::store::{NewFlow, Side};

/// A message of `kind` recorded at `step`, its verdict and counts taken from the report.
pub(super) fn message(kind: &str, step: &str, report: Report) -> StoredMessage {
    StoredMessage::of_report(kind, step, report)
}

pub(super) fn with_params(mut msg: StoredMessage, params: &[(String, String)]) -> StoredMessage {
    msg.params = Some(messages::params_of(params));
    msg
}

pub(super) fn with_raw(
    mut msg: StoredMessage,
    raw: &str,
    message_type: Option<String>,
) -> StoredMessage {
    msg.raw = Some(raw.to_string());
    msg.message_type = message_type;
    msg
}

/// A JSON body shown as one parameter, for service requests.
pub(super) fn body_param(name: &str, body: &[u8]) -> Vec<Param> {
    let text = String::from_utf8_lossy(body);
    vec![Param {
        name: name.into(),
        value: text.chars().take(64 * 1024).collect(),
    }]
}

/// Flow facts of the emulator side.
pub(super) fn summary(pairs: &[(&str, &str)]) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("platform".into(), json!("LTI Inspector emulator"));
    for (k, v) in pairs {
        if !v.is_empty() {
            m.insert((*k).into(), json!(v));
        }
    }
    m
}

/// A new emulator-side flow.
pub(super) fn new_flow(kind: &str, title: String) -> NewFlow {
    messages::new_flow(Side::Emulator, kind, title)
}

pub(super) use lti_core::messages::{save, save_with, Flow};
