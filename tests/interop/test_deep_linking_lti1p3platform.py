"""Deep linking with a platform we did not write: lti1p3platform (PyPI) sends an
LtiDeepLinkingRequest to the inspector's tool side; the composer's page (as a browser would
submit it) returns one item of each type, signed with the tool's key, and the platform library
verifies the response against the tool's JWKS and accepts the items. Each composer negative
switch is refused by the library, or by the LMS-side checks the peer adds where the library
checks nothing (aud, deployment_id, the data echo) — the reason is recorded either way.
"""

from __future__ import annotations

import typing as t

import jwt
import pytest

from browser import Browser, parse_forms
from conftest import Inspector
from platform_server import PeerPlatform

MT = "https://purl.imsglobal.org/spec/lti/claim/message_type"

# The library's own text for what it refuses; None where only the peer's checks see it.
REFUSED_BY = {
    "wrong_aud": ("peer", "aud"),
    "no_deployment_id": ("peer", "deployment_id"),
    "data_not_echoed": ("peer", "data"),
    "expired": ("library", "ExpiredSignatureError"),
    "wrong_message_type": ("library", "isn't a Deep Linking Response"),
    "unsigned": ("library", "LtiException"),
    "bad_signature": ("library", "InvalidSignatureError"),
}


def open_composer(platform: PeerPlatform) -> t.Tuple[Browser, t.Any, t.Any]:
    b = Browser()
    page = b.open(platform.launch_url("none", message="deep_linking", role="instructor"))
    assert page.status_code == 200, page.text[:2000] + b.transcript() + f"\npeer errors: {platform.errors}"
    issued = jwt.decode(platform.issued[-1].id_token, options={"verify_signature": False})
    assert issued[MT] == "LtiDeepLinkingRequest", issued
    forms, auto = parse_forms(page.text, page.url)
    assert not auto, "the composer page must not post itself"
    compose = next((f for f in forms if f.id == "dl-compose"), None)
    assert compose is not None, page.text[:2000]
    return b, page, compose


def test_the_composer_returns_every_item_type_and_lti1p3platform_accepts_them(inspector: Inspector, platform: PeerPlatform) -> None:
    b, page, compose = open_composer(platform)
    final = b.submit(compose, page.url)
    why = f"{b.transcript()}\ndl returns: {platform.dl_returns}"
    assert b.steps[-1].url.startswith(f"{platform.base_url}/dl-return/"), why
    (ret,) = platform.dl_returns
    assert ret["accepted"], f"lti1p3platform refused the composer's response: {ret.get('error') or ret.get('peer_findings')}\n{why}"
    assert final.status_code == 200, why
    # The request's accept_types lists all five (in the library's set order); one item each.
    assert sorted(i["type"] for i in ret["items"]) == ["file", "html", "image", "link", "ltiResourceLink"], why
    # The response is recorded in the request's flow on the tool side, valid by our own checks.
    flow_id = compose.as_dict()["flow"]
    detail = inspector.rpc("get_flow", {"id": flow_id})
    responses = [m for m in detail["messages"] if m["message"]["kind"] == "dl_response"]
    assert len(responses) == 1
    failed = [f["rule_id"] for f in responses[0]["message"]["report"]["findings"] if f["outcome"] == "fail" and f["severity"] == "error"]
    assert failed == [], failed


@pytest.mark.parametrize("breakage", list(REFUSED_BY))
def test_each_negative_switch_is_refused_by_lti1p3platform_with_its_reason(inspector: Inspector, platform: PeerPlatform, breakage: str) -> None:
    b, page, compose = open_composer(platform)
    compose.fields = [(k, breakage if k == "breakage" else v) for k, v in compose.fields]
    b.submit(compose, page.url)
    (ret,) = platform.dl_returns
    who, expect = REFUSED_BY[breakage]
    assert not ret["accepted"], f"{breakage} was accepted: {ret}"
    if who == "library":
        assert expect in ret.get("error", ""), ret
    else:
        assert expect in ret.get("peer_findings", []), ret
    # Our own check of the response names the same break.
    detail = inspector.rpc("get_flow", {"id": compose.as_dict()["flow"]})
    (resp,) = [m for m in detail["messages"] if m["message"]["kind"] == "dl_response"]
    assert any(f["outcome"] == "fail" for f in resp["message"]["report"]["findings"]), resp
    print(f"{breakage}: refused by the {who}: {ret.get('error') or ret.get('peer_findings')}")
