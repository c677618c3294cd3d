//! Re-mint (issue 11, item 3): the emulator launches with a captured launch's claims — the
//! customer's user, roles, context, custom parameters and vendor claims — into a tool registered
//! here, so a customer's launch can be reproduced against your own tool. What makes the token
//! the emulator's (and verifiable by the tool) is kept from the claims the emulator built:
//! issuer, audience, deployment, nonce, times, the target, and the service and deep linking
//! endpoints (they must lead back to the emulator, not to the customer's LMS).

use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use lti_protocol::vocab::claim;

/// Claims always the emulator's own.
pub const KEPT: &[&str] = &[
    "iss",
    "aud",
    "azp",
    "nonce",
    "iat",
    "exp",
    "nbf",
    "jti",
    claim::DEPLOYMENT_ID,
    claim::TARGET_LINK_URI,
    claim::MESSAGE_TYPE,
    claim::VERSION,
    claim::AGS_ENDPOINT,
    claim::NRPS,
    claim::DL_SETTINGS,
    claim::LAUNCH_PRESENTATION,
];

/// The captured claims laid over the built ones: every captured claim replaces or adds, built
/// claims the captured launch did not have go (an anonymous launch stays anonymous), and
/// [`KEPT`] claims stay the emulator's.
pub fn lay_over(built: &mut Map<String, Value>, captured: &Map<String, Value>) {
    let kept: Map<String, Value> = KEPT
        .iter()
        .filter_map(|k| built.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect();
    built.clear();
    for (k, v) in captured {
        if !KEPT.contains(&k.as_str()) {
            built.insert(k.clone(), v.clone());
        }
    }
    built.extend(kept);
}

/// One claim the re-mint will not send as captured.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Rewrite {
    pub claim: String,
    #[ts(optional = nullable, type = "unknown")]
    pub captured: Option<Value>,
    /// What goes instead (a value, or a description such as "fresh at launch").
    pub sent: String,
}

/// What [`lay_over`] will change, for the editor to show before launching.
pub fn rewrites(captured: &Map<String, Value>, known: &[(&str, String)]) -> Vec<Rewrite> {
    KEPT.iter()
        .filter_map(|k| {
            let sent = known
                .iter()
                .find(|(c, _)| c == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| match *k {
                    "nonce" | "iat" | "exp" | "nbf" | "jti" => "fresh at launch".into(),
                    "azp" => "the tool's client_id".into(),
                    _ => "the emulator's".into(),
                });
            let cap = captured.get(*k).cloned();
            if cap.is_none() && matches!(*k, "nbf" | "jti" | "azp") {
                return None;
            }
            if cap.as_ref().and_then(Value::as_str) == Some(sent.as_str()) {
                return None;
            }
            Some(Rewrite {
                claim: k.to_string(),
                captured: cap,
                sent,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_customer_claims_with_the_emulator_identity() {
        let mut built = json!({"iss": "http://emu", "aud": "tool-1", "nonce": "n", "iat": 1, "exp": 2, "sub": "emu-user",
            "name": "Emu User", claim::DEPLOYMENT_ID: "d-emu", claim::AGS_ENDPOINT: {"lineitems": "http://emu/li"},
            claim::ROLES: ["Instructor"]})
        .as_object()
        .unwrap()
        .clone();
        let captured = json!({"iss": "https://canvas", "aud": "x", "nonce": "old", "iat": 0, "exp": 0, "sub": "cust-7",
            claim::DEPLOYMENT_ID: "5:abc", claim::AGS_ENDPOINT: {"lineitems": "https://canvas/li"},
            claim::ROLES: ["Learner"], claim::CUSTOM: {"canvas_course_id": "42"}, "https://vendor/x": 1})
        .as_object()
        .unwrap()
        .clone();
        lay_over(&mut built, &captured);
        assert_eq!(built["iss"], "http://emu");
        assert_eq!(built["aud"], "tool-1");
        assert_eq!(built[claim::DEPLOYMENT_ID], "d-emu");
        assert_eq!(built[claim::AGS_ENDPOINT]["lineitems"], "http://emu/li");
        assert_eq!(built["sub"], "cust-7");
        assert_eq!(built[claim::ROLES], json!(["Learner"]));
        assert_eq!(built[claim::CUSTOM]["canvas_course_id"], "42");
        assert_eq!(built["https://vendor/x"], 1);
        // The captured launch had no name: the emulator's is not added.
        assert!(!built.contains_key("name"));

        let r = rewrites(&captured, &[("iss", "http://emu".into())]);
        let iss = r.iter().find(|x| x.claim == "iss").unwrap();
        assert_eq!(
            (iss.captured.clone(), iss.sent.as_str()),
            (Some(json!("https://canvas")), "http://emu")
        );
        assert!(r
            .iter()
            .any(|x| x.claim == "nonce" && x.sent == "fresh at launch"));
    }
}
