"""Interop: LTI 1.1 launches signed by oauthlib (PyPI, an independent RFC 5849 implementation)
into LTI Inspector's tool side (`/lti11/launch`) over loopback.

  valid launch              -> "Valid launch", flow lti11_launch valid, signature and base string
  query parameters in URL   -> signed by oauthlib as RFC 5849 says, verified (valid)
  tampered parameter        -> lti11.signature fails
  wrong secret              -> lti11.signature fails, "Most likely the secret"
  stale timestamp           -> lti11.timestamp fails
  replayed form             -> lti11.nonce fails on the second post
  signed for a proxy's URL  -> lti11.signature names the URL the consumer signed
  HMAC-SHA256               -> valid
"""
from __future__ import annotations

import re
import time
import typing as t
import uuid

import pytest
import requests
from oauthlib import oauth1

from conftest import Inspector

KEY = "oauthlib-consumer"
SECRET = "oauthlib-shared-secret-5e1"

LAUNCH = {
    "lti_message_type": "basic-lti-launch-request",
    "lti_version": "LTI-1p0",
    "resource_link_id": "oauthlib-link-1",
    "resource_link_title": "Week 1 quiz",
    "user_id": "student-42",
    "roles": "urn:lti:role:ims/lis/Learner",
    "lis_person_name_full": "Grace Hopper",
    "context_id": "course-9",
    "context_title": "Compilers 101",
    "lis_outcome_service_url": "https://lms.example/outcomes",
    "lis_result_sourcedid": "src-42",
    "launch_presentation_return_url": "https://lms.example/return",
    "tool_consumer_instance_name": "oauthlib consumer",
}


def sign(url: str, secret: str = SECRET, method: str = oauth1.SIGNATURE_HMAC_SHA1, timestamp: t.Optional[int] = None, **extra: str) -> str:
    client = oauth1.Client(
        KEY,
        client_secret=secret,
        signature_method=method,
        signature_type=oauth1.SIGNATURE_TYPE_BODY,
        timestamp=str(timestamp) if timestamp is not None else None,
        nonce=uuid.uuid4().hex,
    )
    _, _, body = client.sign(
        url,
        http_method="POST",
        body={**LAUNCH, **extra},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return body


def post(url: str, body: str, headers: t.Optional[dict] = None) -> requests.Response:
    res = requests.post(url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}, timeout=10)
    assert res.status_code == 200, res.text[:500]
    return res


def flow_of(inspector: Inspector, page: str) -> dict:
    m = re.search(r"#/flows/([A-Za-z0-9_-]+)", page)
    assert m, page[:800]
    return inspector.wait_for_flow(m.group(1), lambda d: bool(d["messages"]))


def finding(detail: dict, rule_id: str) -> dict:
    for m in detail["messages"]:
        for f in m["message"]["report"]["findings"]:
            if f["rule_id"] == rule_id:
                return f
    raise AssertionError(f"no {rule_id} finding")


def failed_errors(detail: dict) -> t.List[str]:
    return [f["rule_id"] for m in detail["messages"] for f in m["message"]["report"]["findings"] if f["outcome"] == "fail" and f["severity"] == "error"]


@pytest.fixture(scope="module")
def launch_url(inspector: Inspector) -> str:
    inspector.rpc("save_lti11_consumer", {"consumer_key": KEY, "name": "oauthlib consumer", "secret": SECRET})
    return f"{inspector.tool_base}/lti11/launch"


def test_a_launch_signed_by_oauthlib_is_valid(inspector: Inspector, launch_url: str) -> None:
    page = post(launch_url, sign(launch_url)).text
    assert "Valid launch" in page, page[:1500]
    detail = flow_of(inspector, page)
    assert detail["flow"]["kind"] == "lti11_launch"
    assert detail["flow"]["verdict"] == "valid", failed_errors(detail)
    assert finding(detail, "lti11.signature")["outcome"] == "pass"
    assert finding(detail, "lti11.outcomes")["outcome"] == "pass"
    assert finding(detail, "lti11.base_string")["actual"].startswith("POST&http%3A%2F%2F")
    assert detail["flow"]["summary"]["user"] == "Grace Hopper"


def test_query_parameters_are_signed_as_rfc_5849_says(inspector: Inspector, launch_url: str) -> None:
    url = f"{launch_url}?course=9&section=a%20b"
    page = post(url, sign(url)).text
    assert "Valid launch" in page, page[:1500]


def test_hmac_sha256_launches_verify(inspector: Inspector, launch_url: str) -> None:
    page = post(launch_url, sign(launch_url, method=oauth1.SIGNATURE_HMAC_SHA256)).text
    assert "Valid launch" in page, page[:1500]


def test_a_tampered_parameter_fails_the_signature(inspector: Inspector, launch_url: str) -> None:
    body = sign(launch_url).replace("student-42", "teacher-1")
    detail = flow_of(inspector, post(launch_url, body).text)
    assert failed_errors(detail) == ["lti11.signature"]


def test_a_wrong_secret_is_named_as_the_likely_cause(inspector: Inspector, launch_url: str) -> None:
    detail = flow_of(inspector, post(launch_url, sign(launch_url, secret="not-the-secret")).text)
    f = finding(detail, "lti11.signature")
    assert f["outcome"] == "fail"
    assert "Most likely the secret" in f["message"]


def test_a_stale_timestamp_is_refused(inspector: Inspector, launch_url: str) -> None:
    detail = flow_of(inspector, post(launch_url, sign(launch_url, timestamp=int(time.time()) - 3600)).text)
    assert failed_errors(detail) == ["lti11.timestamp"]


def test_a_replayed_form_is_refused(inspector: Inspector, launch_url: str) -> None:
    body = sign(launch_url)
    first = flow_of(inspector, post(launch_url, body).text)
    assert first["flow"]["verdict"] == "valid"
    second = flow_of(inspector, post(launch_url, body).text)
    assert failed_errors(second) == ["lti11.nonce"]


def test_a_launch_signed_for_a_proxys_url_names_it(inspector: Inspector, launch_url: str) -> None:
    public = "https://tools.school.example/lti11/launch"
    page = post(launch_url, sign(public), {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "tools.school.example"}).text
    detail = flow_of(inspector, page)
    f = finding(detail, "lti11.signature")
    assert f["outcome"] == "fail"
    assert f"signed the URL {public}" in f["message"], f["message"]
