#!/usr/bin/env python3
"""Writes crates/lti-core/src/store/token_dict_v1.json: the fixed zstd dictionary stored tokens
are compressed with (store/tokens.rs). Made once from the claim catalog and the role, scope and
message-type vocabularies, with empty values: names and shapes every LTI token shares, no launch's
data. A stored token names its dictionary, so this file never changes once shipped: a better one
is a new file with a new format byte."""
import json, pathlib, re

root = pathlib.Path(__file__).resolve().parent.parent
proto = root / "crates/lti-protocol/src"
claims = [c["uri"] for c in json.loads((proto / "claims.json").read_text())]
vocab = sorted(set(re.findall(r'"(https?://purl\.imsglobal\.org/[^"]*[A-Za-z])"',
                              (proto / "roles.rs").read_text() + (proto / "vocab.rs").read_text())))
roles = [v for v in vocab if "/vocab/" in v]
scopes = [v for v in vocab if "/scope/" in v]

C = "https://purl.imsglobal.org/spec/lti/claim/"
shapes = {
    C + "context": {"id": "", "label": "", "title": "",
                    "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
    C + "resource_link": {"id": "", "title": "", "description": ""},
    C + "launch_presentation": {"document_target": "iframe", "return_url": "", "locale": "en",
                                "width": 0, "height": 0},
    C + "tool_platform": {"guid": "", "name": "", "version": "", "product_family_code": "",
                          "contact_email": "", "description": "", "url": ""},
    C + "lis": {"person_sourcedid": "", "course_offering_sourcedid": "",
                "course_section_sourcedid": ""},
    C + "custom": {},
    "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
        "scope": scopes[:4], "lineitems": "", "lineitem": ""},
    "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
        "context_memberships_url": "", "service_versions": ["2.0"]},
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
        "deep_link_return_url": "", "accept_types": ["link", "ltiResourceLink", "file", "html", "image"],
        "accept_presentation_document_targets": ["iframe", "window", "embed"],
        "accept_media_types": "", "accept_multiple": True, "auto_create": False, "title": "",
        "text": "", "data": ""},
    "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [
        {"type": "ltiResourceLink", "title": "", "url": "", "custom": {}},
        {"type": "link", "title": "", "url": ""}],
}
payload = {"iss": "https://", "aud": "", "azp": "", "exp": 0, "iat": 0, "nbf": 0, "nonce": "",
           "jti": "", "sub": "", "name": "", "given_name": "", "family_name": "",
           "middle_name": "", "email": "", "picture": "https://", "locale": "en-US"}
for uri in claims:
    payload.setdefault(uri, shapes.get(uri, ""))
payload[C + "message_type"] = "LtiResourceLinkRequest"
payload[C + "version"] = "1.3.0"
payload[C + "roles"] = roles

parts = [
    json.dumps({"alg": "RS256", "typ": "JWT", "kid": ""}, separators=(",", ":")),
    json.dumps({"typ": "JWT", "alg": "RS256", "kid": ""}, separators=(",", ":")),
    json.dumps(["LtiResourceLinkRequest", "LtiDeepLinkingRequest", "LtiDeepLinkingResponse",
                "LtiSubmissionReviewRequest", "LtiStartProctoring", "LtiStartAssessment",
                "LtiEndAssessment"], separators=(",", ":")),
    json.dumps(payload, separators=(",", ":")),
]
out = root / "crates/lti-core/src/store/token_dict_v1.json"
out.write_text("\n".join(parts) + "\n")
print(out, out.stat().st_size, "bytes")
