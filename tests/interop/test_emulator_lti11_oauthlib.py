"""Interop: LTI Inspector's emulator as an LTI 1.1 consumer launching into an independent tool
provider whose OAuth check is oauthlib's (tests/peers/lti11_provider.py), over loopback through
a headless browser; and that provider's Basic Outcomes client (oauthlib-signed, with the body
hash) sending a grade to the emulator.

  valid launch                -> oauthlib accepts (its default nonce and timestamp limits)
  each negative switch        -> refused, by oauthlib (signature, secret, timestamp, nonce) or by
                                 the provider's required-parameter check
  replaceResult from the peer -> the emulator answers success and the grade is in its gradebook
"""
from __future__ import annotations

import typing as t

import pytest
import requests

from browser import Browser
from conftest import Inspector
from lti11_provider import PeerLti11Tool

# oauthlib accepts consumer keys of 20 to 30 letters and digits by default.
KEY = "peerlti11consumerkey0001"
SECRET = "peer-lti11-secret-0b7"


@pytest.fixture(scope="module")
def peer(inspector: Inspector) -> t.Iterator[t.Tuple[PeerLti11Tool, str]]:
    with PeerLti11Tool(KEY, SECRET) as p:
        tool = inspector.rpc("save_emulator_lti11_tool", {"name": "oauthlib peer", "launch_url": p.launch_url, "consumer_key": KEY, "secret": SECRET, "lms": "moodle"})
        yield p, tool["id"]


def launch(inspector: Inspector, tool_id: str, negative: t.Optional[str] = None) -> t.Tuple[int, str, dict]:
    l = inspector.rpc("lti11_launch_url", {"tool_id": tool_id, "user_id": "demo-learner-1", "course_id": "demo-course", "negative": negative})
    res = Browser().open(l["url"])
    return res.status_code, res.text, l


def test_oauthlib_accepts_the_emulators_launch(inspector: Inspector, peer: t.Tuple[PeerLti11Tool, str]) -> None:
    p, tool_id = peer
    status, text, l = launch(inspector, tool_id)
    assert status == 200, text
    assert text.startswith("accepted:"), text
    form = p.accepted[-1]
    assert form["tool_consumer_info_product_family_code"] == "moodle"
    assert form["roles"].split(",")[0] == "urn:lti:role:ims/lis/Learner", form["roles"]
    detail = inspector.get_flow(l["flow_id"])
    assert detail["flow"]["verdict"] == "valid"


@pytest.mark.parametrize(
    "negative,status,reason",
    [
        ("bad_signature", 401, "signature"),
        ("wrong_secret", 401, "signature"),
        ("stale_timestamp", 401, "oauthlib"),
        ("replayed_nonce", 401, "replayed"),
        ("missing_resource_link_id", 400, "resource_link_id"),
        ("missing_message_type", 400, "lti_message_type"),
    ],
)
def test_each_negative_switch_is_refused(inspector: Inspector, peer: t.Tuple[PeerLti11Tool, str], negative: str, status: int, reason: str) -> None:
    p, tool_id = peer
    if negative == "replayed_nonce":
        assert launch(inspector, tool_id)[0] == 200
    got, text, l = launch(inspector, tool_id, negative)
    assert got == status, f"{negative}: {got} {text}"
    assert reason in text, text
    # The emulator's own flow says which rule it broke, and that it failed as intended.
    detail = inspector.get_flow(l["flow_id"])
    assert detail["flow"]["summary"]["negative_test"].endswith(")"), detail["flow"]["summary"]
    assert detail["flow"]["verdict"] == "invalid"


def test_a_grade_from_the_peer_lands_in_the_emulators_gradebook(inspector: Inspector, peer: t.Tuple[PeerLti11Tool, str]) -> None:
    p, tool_id = peer
    assert launch(inspector, tool_id)[0] == 200
    n = len(p.accepted) - 1

    res = requests.post(f"{p.base}/outcome/{n}", params={"score": "0.9"}, timeout=10)
    assert res.status_code == 200, res.text
    assert "<imsx_codeMajor>success</imsx_codeMajor>" in res.text, res.text
    book = inspector.rpc("get_gradebook", {"course_id": "demo-course"})
    grades = [g for g in book["lti11"] if g["tool_id"] == tool_id]
    assert grades and grades[0]["score"] == 0.9, book["lti11"]
    # Outside [0, 1]: the emulator answers failure and keeps the old grade.
    res = requests.post(f"{p.base}/outcome/{n}", params={"score": "7"}, timeout=10)
    assert "<imsx_codeMajor>failure</imsx_codeMajor>" in res.text, res.text
    book = inspector.rpc("get_gradebook", {"course_id": "demo-course"})
    assert [g for g in book["lti11"] if g["tool_id"] == tool_id][0]["score"] == 0.9
