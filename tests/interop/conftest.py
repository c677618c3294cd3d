"""Fixtures for interop tests: LTI Inspector's `serve` (the system under test) and the
independent peers from tests/peers/.

Environment:
  LTI_INSPECTOR_BIN   the binary to test (default: target/debug/lti-inspector of this repo)
"""
from __future__ import annotations

import functools
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import typing as t
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for p in (HERE, REPO / "tests" / "peers"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from platform_server import PeerPlatform  # noqa: E402

BIN = Path(os.environ.get("LTI_INSPECTOR_BIN", REPO / "target" / "debug" / "lti-inspector"))
REQUIRED_COMMANDS = ("save_platform", "list_flows", "get_flow")
START_TIMEOUT = 30.0


class RpcError(AssertionError):
    pass


class Inspector:
    """A running `lti-inspector serve` and a client for its command API."""

    def __init__(self, proc: subprocess.Popen, ui_url: str, tool_base: str, data_dir: Path, stderr_path: Path) -> None:
        self.proc = proc
        m = re.match(r"(https?://[^/]+)/\?token=([0-9A-Za-z]+)", ui_url)
        assert m, f"unexpected ui: line {ui_url!r}"
        self.ui_base, self.token = m.group(1), m.group(2)
        self.tool_base = tool_base.rstrip("/")
        self.data_dir = data_dir
        self.stderr_path = stderr_path
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def rpc(self, command: str, args: t.Optional[dict] = None) -> t.Any:
        url = f"{self.ui_base}/api/rpc/{command}"
        res = self.http.post(url, json=args if args is not None else {}, timeout=15)
        if res.status_code >= 300:
            raise RpcError(f"POST {url} {json.dumps(args)} -> HTTP {res.status_code}: {res.text[:2000]}")
        return res.json() if res.content else None

    def get_flow(self, flow_id: str) -> dict:
        return self.rpc("get_flow", {"id": flow_id})

    def wait_for_flow(self, flow_id: str, ready: t.Callable[[dict], bool], timeout: float = 10.0) -> dict:
        """get_flow, polled until `ready(detail)` (exchanges are recorded after the response
        is sent, so the flow can lag the browser by a few milliseconds). Returns the last
        detail either way; the caller's assertions then explain what is missing."""
        deadline = time.monotonic() + timeout
        while True:
            detail = self.get_flow(flow_id)
            if ready(detail) or time.monotonic() > deadline:
                return detail
            time.sleep(0.1)

    def stderr_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no stderr)"


@functools.lru_cache(maxsize=None)
def skip_or_fail(why: str) -> t.NoReturn:
    """Skips, except under CI (`CI=true`), where a missing prerequisite fails the run: a green
    run must mean the interop tests ran."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and a prerequisite is missing: {why}", pytrace=False)
    pytest.skip(why)


def _bindings_commands() -> str:
    # Once per session: the inspector fixture and every service test ask for it.
    out = subprocess.run([str(BIN), "bindings"], capture_output=True, text=True, timeout=60)
    return out.stdout


@pytest.fixture(scope="session")
def inspector(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Inspector]:
    if not BIN.is_file():
        skip_or_fail(f"LTI Inspector binary not found at {BIN}: build it first (`make engine`) or set LTI_INSPECTOR_BIN")
    bindings = _bindings_commands()
    missing = [c for c in REQUIRED_COMMANDS if f"{c}:" not in bindings]
    if missing:
        skip_or_fail(f"{BIN} predates the capture flow API (no {', '.join(missing)} in `lti-inspector bindings`): rebuild it")

    tmp = tmp_path_factory.mktemp("inspector")
    data_dir = tmp / "data"
    data_dir.mkdir()
    stderr_path = tmp / "stderr.log"
    stderr = open(stderr_path, "wb")
    cmd = [
        str(BIN), "serve",
        "--data-dir", str(data_dir),
        "--ui-port", "0", "--tool-port", "0", "--emulator-port", "0",
        "--key-store", f"file:{tmp / 'keys.json'}",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1)

    lines: "queue.Queue[t.Optional[str]]" = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    ui = tool = None
    deadline = time.monotonic() + START_TIMEOUT
    while (ui is None or tool is None) and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line is None:
            break
        if line.startswith("ui: "):
            ui = line[4:].strip()
        elif line.startswith("tool: "):
            tool = line[6:].strip()
    if ui is None or not tool:
        proc.kill()
        proc.wait()
        stderr.close()
        pytest.fail(
            f"`{' '.join(cmd)}` did not print its ui:/tool: lines within {START_TIMEOUT}s "
            f"(exit {proc.returncode}, ui={ui!r}, tool={tool!r}).\nstderr:\n{stderr_path.read_text(errors='replace')[-4000:]}"
        )
    insp = Inspector(proc, ui, tool, data_dir, stderr_path)
    try:
        yield insp
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        stderr.close()


@pytest.fixture
def platform(inspector: Inspector) -> t.Iterator[PeerPlatform]:
    """A fresh lti1p3platform peer (own port, issuer and RSA key) registered in the inspector.
    A fresh issuer per test also means a fresh JWKS URL, so every flow fetches the key set."""
    peer = PeerPlatform(tool_base=inspector.tool_base).start()
    saved: t.Optional[dict] = None
    try:
        saved = inspector.rpc("save_platform", peer.inspector_registration(name=f"lti1p3platform peer :{peer.base_url.rsplit(':', 1)[1]}"))
        assert saved.get("id"), f"save_platform returned no id: {saved}"
        peer.inspector_platform = saved  # type: ignore[attr-defined]
        yield peer
    finally:
        peer.stop()
        # The port goes back to the system and a later test's peer may get it (and with it the
        # same issuer): its registration must not find this one still there.
        if saved and saved.get("id"):
            inspector.rpc("delete_platform", {"id": saved["id"]})
