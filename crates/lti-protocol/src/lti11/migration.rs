//! The LTI 1.1 → 1.3 migration claim (`https://purl.imsglobal.org/spec/lti/claim/lti1p1`, LTI
//! 1.3 Migration Guide): the user's and link's 1.1 identifiers, and `oauth_consumer_key_sign`,
//! which proves the platform knows the 1.1 secret: base64(HMAC-SHA256(secret, key & deployment_id
//! & iss & client_id & exp & nonce)).

use aws_lc_rs::hmac;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};

use crate::finding::Finding;
use crate::vocab::claim as uri;

/// What the signature covers, in the migration guide's order.
pub struct SignedValues<'a> {
    pub consumer_key: &'a str,
    pub deployment_id: &'a str,
    pub iss: &'a str,
    pub client_id: &'a str,
    pub exp: i64,
    pub nonce: &'a str,
}

impl SignedValues<'_> {
    pub fn base(&self) -> String {
        format!(
            "{}&{}&{}&{}&{}&{}",
            self.consumer_key, self.deployment_id, self.iss, self.client_id, self.exp, self.nonce
        )
    }

    pub fn sign(&self, secret: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        STANDARD.encode(hmac::sign(&key, self.base().as_bytes()).as_ref())
    }
}

/// The values the platform signed, read from a launch's payload (client_id: azp, else aud).
pub fn signed_values<'a>(p: &'a Map<String, Value>) -> Result<SignedValues<'a>, String> {
    let claim = p
        .get(uri::LTI1P1)
        .and_then(Value::as_object)
        .ok_or("no lti1p1 claim object")?;
    let s = |m: &'a Map<String, Value>, k: &str| -> Result<&'a str, String> {
        m.get(k)
            .and_then(Value::as_str)
            .ok_or(format!("{k} is missing"))
    };
    let client_id = match (p.get("azp"), p.get("aud")) {
        (Some(Value::String(a)), _) => a.as_str(),
        (_, Some(Value::String(a))) => a.as_str(),
        (_, Some(Value::Array(a))) => a.first().and_then(Value::as_str).ok_or("aud is empty")?,
        _ => return Err("aud is missing".into()),
    };
    Ok(SignedValues {
        consumer_key: s(claim, "oauth_consumer_key")?,
        deployment_id: s(p, uri::DEPLOYMENT_ID)?,
        iss: s(p, "iss")?,
        client_id,
        exp: p
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or("exp is missing")?,
        nonce: s(p, "nonce")?,
    })
}

/// The lti1p1 claim a platform adds to a launch `p` (iss, aud, deployment_id, exp and nonce
/// already set) for a user and link it also knew under LTI 1.1, signed with the 1.1 secret.
pub fn build_claim(
    p: &Map<String, Value>,
    consumer_key: &str,
    secret: &str,
    ids: &[(&str, &str)],
) -> Result<Value, String> {
    let mut with_key = p.clone();
    with_key.insert(
        uri::LTI1P1.into(),
        serde_json::json!({ "oauth_consumer_key": consumer_key }),
    );
    let sign = signed_values(&with_key)?.sign(secret);
    let mut claim = Map::new();
    for (k, v) in ids {
        claim.insert((*k).into(), Value::from(*v));
    }
    claim.insert("oauth_consumer_key".into(), Value::from(consumer_key));
    claim.insert("oauth_consumer_key_sign".into(), Value::from(sign));
    Ok(Value::Object(claim))
}

/// Checks the claim's shape and, when the 1.1 secret of its consumer key is known, its
/// `oauth_consumer_key_sign`. No claim: no finding.
pub fn check(p: &Map<String, Value>, secret: Option<&str>) -> Vec<Finding> {
    let Some(claim) = p.get(uri::LTI1P1) else {
        return Vec::new();
    };
    let path = uri::LTI1P1;
    let Some(obj) = claim.as_object() else {
        return vec![Finding::fail("lti.lti1p1", "The lti1p1 claim must be an object.").path(path)];
    };
    let mut out = Vec::new();
    let not_strings: Vec<&str> = [
        "user_id",
        "oauth_consumer_key",
        "oauth_consumer_key_sign",
        "resource_link_id",
        "context_id",
    ]
    .into_iter()
    .filter(|k| obj.get(*k).is_some_and(|v| !v.is_string()))
    .collect();
    if !not_strings.is_empty() {
        out.push(
            Finding::fail(
                "lti.lti1p1",
                format!("Not strings: {}.", not_strings.join(", ")),
            )
            .path(path),
        );
    }
    let has = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty())
    };
    let ids: Vec<&str> = ["user_id", "resource_link_id", "context_id"]
        .into_iter()
        .filter(|k| has(k))
        .collect();
    match (has("oauth_consumer_key"), has("oauth_consumer_key_sign")) {
        (true, false) => out.push(
            Finding::fail("lti.lti1p1", "oauth_consumer_key without oauth_consumer_key_sign: a tool cannot trust the 1.1 identity (the migration guide requires both together).")
                .path(path),
        ),
        (false, true) => out.push(Finding::fail("lti.lti1p1", "oauth_consumer_key_sign without the oauth_consumer_key it signs.").path(path)),
        (false, false) => out.push(
            Finding::pass("lti.lti1p1", format!("LTI 1.1 identifiers carried: {} (no consumer key to link them to a 1.1 install).", if ids.is_empty() { "none".into() } else { ids.join(", ") }))
                .path(path),
        ),
        (true, true) => {
            let values = signed_values(p);
            match (secret, values) {
                (_, Err(why)) => out.push(Finding::fail("lti.lti1p1", format!("oauth_consumer_key_sign cannot be recomputed: {why}.")).path(path)),
                (None, Ok(v)) => out.push(
                    Finding::skipped(
                        "lti.lti1p1",
                        format!("oauth_consumer_key_sign not checked: register LTI 1.1 consumer key {:?} with its secret to verify the platform knows it.", v.consumer_key),
                    )
                    .path(path),
                ),
                (Some(secret), Ok(v)) => {
                    let expected = v.sign(secret);
                    let got = obj.get("oauth_consumer_key_sign").and_then(Value::as_str).unwrap_or_default();
                    if aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), got.as_bytes()).is_ok() {
                        out.push(
                            Finding::pass("lti.lti1p1", format!("oauth_consumer_key_sign verifies with the 1.1 secret of {:?}: this 1.3 launch may take over the 1.1 user {}.", v.consumer_key, obj.get("user_id").and_then(Value::as_str).unwrap_or("(none)")))
                                .path(path),
                        );
                    } else {
                        out.push(
                            Finding::fail(
                                "lti.lti1p1",
                                format!("oauth_consumer_key_sign does not verify with the 1.1 secret of {:?}: the platform signed other values (or with another secret). Signed here: {}", v.consumer_key, v.base()),
                            )
                            .path(path)
                            .expected(expected)
                            .actual(got),
                        );
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Outcome;
    use serde_json::json;

    /// The migration guide's own example.
    fn example() -> Map<String, Value> {
        json!({
            "nonce": "172we8671fd8z", "iat": 1551290796, "exp": 1551290856,
            "iss": "https://lmsvendor.com", "aud": "PM48OJSfGDTAzAo", "sub": "3",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "689302",
            "https://purl.imsglobal.org/spec/lti/claim/lti1p1": {
                "user_id": "34212", "oauth_consumer_key": "179248902",
                "oauth_consumer_key_sign": "lWd54kFo5qU7xshAna6v8BwoBm6tmUjc6GTax6+12ps="
            }
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn the_guides_example_verifies() {
        let p = example();
        let v = signed_values(&p).unwrap();
        assert_eq!(
            v.base(),
            "179248902&689302&https://lmsvendor.com&PM48OJSfGDTAzAo&1551290856&172we8671fd8z"
        );
        assert_eq!(
            v.sign("my-lti11-secret"),
            "lWd54kFo5qU7xshAna6v8BwoBm6tmUjc6GTax6+12ps="
        );
        let f = check(&p, Some("my-lti11-secret"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].outcome, Outcome::Pass, "{:?}", f[0]);
    }

    #[test]
    fn a_built_claim_verifies() {
        let mut p = example();
        p.remove(uri::LTI1P1);
        let claim =
            build_claim(&p, "179248902", "my-lti11-secret", &[("user_id", "34212")]).unwrap();
        assert_eq!(
            claim["oauth_consumer_key_sign"],
            "lWd54kFo5qU7xshAna6v8BwoBm6tmUjc6GTax6+12ps="
        );
        p.insert(uri::LTI1P1.into(), claim);
        assert_eq!(check(&p, Some("my-lti11-secret"))[0].outcome, Outcome::Pass);
    }

    #[test]
    fn a_wrong_secret_or_a_changed_value_fails_and_no_secret_skips() {
        let p = example();
        assert_eq!(check(&p, Some("other"))[0].outcome, Outcome::Fail);
        let mut changed = p.clone();
        changed.insert("exp".into(), json!(1551290857));
        assert_eq!(
            check(&changed, Some("my-lti11-secret"))[0].outcome,
            Outcome::Fail
        );
        assert_eq!(check(&p, None)[0].outcome, Outcome::Skipped);
        let mut unsigned = p.clone();
        unsigned[uri::LTI1P1]
            .as_object_mut()
            .unwrap()
            .remove("oauth_consumer_key_sign");
        assert_eq!(check(&unsigned, None)[0].outcome, Outcome::Fail);
        assert!(check(&Map::new(), None).is_empty());
        let mut not_object = p;
        not_object.insert(uri::LTI1P1.into(), json!("x"));
        assert_eq!(check(&not_object, None)[0].outcome, Outcome::Fail);
    }
}
