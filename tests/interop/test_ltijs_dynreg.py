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

import os
import shutil
import socket
import subprocess
import tempfile
import time
import typing as t
from pathlib import Path

import pytest

from browser import Browser
from conftest import Inspector, skip_or_fail

HERE = Path(__file__).resolve().parent
LTIJS = HERE.parent / "peers" / "ltijs"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin(name: str) -> t.Optional[str]:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / name).exists():
            return str(d / name)
    return shutil.which(name)


@pytest.fixture(scope="module")
def postgres() -> t.Iterator[t.Tuple[int, str]]:
    initdb, pg_ctl, createdb = _pg_bin("initdb"), _pg_bin("pg_ctl"), _pg_bin("createdb")
    if not (initdb and pg_ctl and createdb):
        skip_or_fail("PostgreSQL is not installed (scripts/setup.sh test installs it)")
    run_as: t.List[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    tmp = tempfile.mkdtemp(prefix="ltijs-pg-")
    if run_as:
        shutil.chown(tmp, user="postgres")
    port = _free_port()
    data = os.path.join(tmp, "data")
    subprocess.run(run_as + [initdb, "-D", data, "-A", "trust", "-U", "postgres"], check=True, capture_output=True)
    subprocess.run(run_as + [pg_ctl, "-D", data, "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1", "-w", "-l", os.path.join(tmp, "log"), "start"], check=True, capture_output=True)
    try:
        subprocess.run(run_as + [createdb, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "ltijs"], check=True, capture_output=True)
        yield port, "ltijs"
    finally:
        subprocess.run(run_as + [pg_ctl, "-D", data, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def ltijs(postgres: t.Tuple[int, str]) -> t.Iterator[str]:
    if not (LTIJS / "node_modules" / "ltijs").exists():
        skip_or_fail("ltijs is not installed (scripts/setup.sh test runs npm install in tests/peers/ltijs)")
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "PGHOST": "127.0.0.1", "PGPORT": str(postgres[0]), "PGDATABASE": postgres[1], "DEBUG": ""}
    log = tempfile.NamedTemporaryFile(prefix="ltijs-", suffix=".log", delete=False)
    proc = subprocess.Popen(["node", "server.js"], cwd=LTIJS, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while b"listening" not in Path(log.name).read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"ltijs did not start: {Path(log.name).read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


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
