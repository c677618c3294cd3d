"""Interop: ltijs (npm, v5), an independent LTI 1.3 tool library that implements Dynamic
Registration, registers itself with LTI Inspector's emulator by DR and is then launched.

ltijs does the tool's work (tests/peers/ltijs/server.js only wires it up): it fetches the
emulator's OpenID configuration, posts its client registration with the registration token,
stores the platform, and later validates the emulator's id_token (JWKS fetched, nonce, aud).
Its store is PostgreSQL (ltijs-sequelize), run here as a throwaway cluster on loopback.

  registration           -> the emulator creates the tool, its checks of ltijs's request pass
  launch after it        -> ltijs accepts the emulator's launch at once
  expired / used token   -> the emulator refuses (401) and nothing is created
"""
from __future__ import annotations

import typing as t

import pytest

from browser import Browser
import peer_processes
from conftest import Inspector, skip_or_fail


@pytest.fixture(scope="module")
def postgres() -> t.Iterator[t.Tuple[int, str]]:
    try:
        with peer_processes.postgres() as pg:
            yield pg
    except peer_processes.Missing as e:
        skip_or_fail(str(e))


@pytest.fixture(scope="module")
def ltijs(postgres: t.Tuple[int, str]) -> t.Iterator[str]:
    try:
        with peer_processes.ltijs(postgres) as base:
            yield base
    except peer_processes.Missing as e:
        skip_or_fail(str(e))


def _tools(inspector: Inspector) -> t.List[dict]:
    return inspector.rpc("list_emulator_tools", {})


def test_ltijs_registers_by_dynamic_registration_and_is_launched(inspector: Inspector, ltijs: str) -> None:
    started = inspector.rpc("dr_start", {"registration_url": f"{ltijs}/register"})
    res = Browser().open(started["tool_url"])
    assert res.status_code == 200, res.text[:2000]
    assert "org.imsglobal.lti.close" in res.text, res.text[:2000]
    tool = next((x for x in _tools(inspector) if x["name"] == "ltijs peer tool"), None)
    assert tool, "the emulator created the tool ltijs registered"
    assert tool["login_url"] == f"{ltijs}/login"
    detail = inspector.get_flow(started["flow_id"])
    failed = [f["rule_id"] for m in detail["messages"] for f in m["message"]["report"]["findings"] if f["outcome"] == "fail" and f["severity"] == "error"]
    assert failed == [], f"our checks of ltijs's registration request: {failed}"

    inspector.rpc("save_resource_link", {"course_id": "demo-course", "tool_id": tool["id"], "title": "ltijs by DR"})
    launch = inspector.rpc("launch_url", {"tool_id": tool["id"], "user_id": "demo-learner-1"})
    page = Browser().open(launch["url"])
    assert page.status_code == 200, page.text[:2000]
    assert page.text.startswith("ltijs accepted: "), page.text[:2000]


@pytest.mark.parametrize("negative", ["expired_token", "reused_token"])
def test_ltijs_is_refused_a_bad_registration_token(inspector: Inspector, ltijs: str, negative: str) -> None:
    before = len(_tools(inspector))
    started = inspector.rpc("dr_start", {"registration_url": f"{ltijs}/register", "negative": negative})
    res = Browser().open(started["tool_url"])
    assert "org.imsglobal.lti.close" not in res.text, "ltijs must not report success"
    assert len(_tools(inspector)) == before, "no tool was created"
    detail = inspector.get_flow(started["flow_id"])
    failed = [f["rule_id"] for m in detail["messages"] for f in m["message"]["report"]["findings"] if f["outcome"] == "fail"]
    assert "dr.request.token" in failed, failed
