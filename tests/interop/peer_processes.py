"""Peers that run as their own processes, started on loopback for a test or `make compat`:
a throwaway PostgreSQL cluster (ltijs's store), the ltijs tool (npm) and the atomic-lti tool
(crates.io, built by scripts/setup.sh test). Each is a context manager yielding where it listens;
a missing prerequisite raises `Missing` with what to install."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LTIJS = ROOT / "tests" / "peers" / "ltijs"
ATOMIC = ROOT / "tests" / "peers" / "atomic-lti"


class Missing(Exception):
    """A prerequisite is not installed."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ReservedPort:
    """A free port held bound (never listening) until `release()`: for a server that can only
    start after others that must already know its URL. A port from free_port() is free again the
    moment it is returned; while postgres, ltijs and atomic-lti start (seconds), one of their own
    ports or an outgoing connection could take it, and the late server then fails to bind
    ("Address already in use", seen once in CI)."""

    def __init__(self) -> None:
        self._sock: t.Optional[socket.socket] = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]

    def release(self) -> int:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        return self.port


def _pg_bin(name: str) -> t.Optional[str]:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / name).exists():
            return str(d / name)
    return shutil.which(name)


@contextlib.contextmanager
def postgres() -> t.Iterator[t.Tuple[int, str]]:
    """A throwaway cluster with database `ltijs`; yields (port, database)."""
    initdb, pg_ctl, createdb = _pg_bin("initdb"), _pg_bin("pg_ctl"), _pg_bin("createdb")
    if not (initdb and pg_ctl and createdb):
        raise Missing("PostgreSQL is not installed (scripts/setup.sh test installs it)")
    run_as: t.List[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    tmp = tempfile.mkdtemp(prefix="ltijs-pg-")
    if run_as:
        shutil.chown(tmp, user="postgres")
    port = free_port()
    data = os.path.join(tmp, "data")
    subprocess.run(run_as + [initdb, "-D", data, "-A", "trust", "-U", "postgres"], check=True, capture_output=True)
    subprocess.run(run_as + [pg_ctl, "-D", data, "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1", "-w", "-l", os.path.join(tmp, "log"), "start"], check=True, capture_output=True)
    try:
        subprocess.run(run_as + [createdb, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "ltijs"], check=True, capture_output=True)
        yield port, "ltijs"
    finally:
        subprocess.run(run_as + [pg_ctl, "-D", data, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def _process(name: str, argv: t.List[str], cwd: Path, env: t.Dict[str, str], ready: bytes) -> t.Iterator[None]:
    log = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)
    proc = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while ready not in Path(log.name).read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"{name} did not start: {Path(log.name).read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def ltijs(pg: t.Tuple[int, str], env: t.Optional[t.Dict[str, str]] = None) -> t.Iterator[str]:
    """tests/peers/ltijs/server.js on a free port; yields its base URL."""
    if not (LTIJS / "node_modules" / "ltijs").exists():
        raise Missing("ltijs is not installed (scripts/setup.sh test runs npm ci in tests/peers/ltijs)")
    port = free_port()
    base_env = {"PORT": str(port), "PGHOST": "127.0.0.1", "PGPORT": str(pg[0]), "PGDATABASE": pg[1], "DEBUG": ""}
    with _process("ltijs", ["node", "server.js"], LTIJS, {**base_env, **(env or {})}, b"listening"):
        yield f"http://127.0.0.1:{port}"


def ltijs_version() -> str:
    import json

    return json.loads((LTIJS / "node_modules" / "ltijs" / "package.json").read_text())["version"]


def atomic_bin() -> Path:
    target = os.environ.get("CARGO_TARGET_DIR") or str(ATOMIC / "target")
    return Path(target) / "release" / "atomic-lti-peer"


def atomic_version() -> str:
    lock = (ATOMIC / "Cargo.lock").read_text()
    at = lock.index('name = "atomic-lti"\n')
    return lock[at:].split("\n")[1].split('"')[1]


@contextlib.contextmanager
def atomic_lti(env: t.Dict[str, str]) -> t.Iterator[str]:
    """The atomic-lti tool (tests/peers/atomic-lti) on a free port; yields its base URL."""
    exe = atomic_bin()
    if not exe.exists():
        raise Missing(f"the atomic-lti peer is not built ({exe}; scripts/setup.sh test builds it)")
    port = free_port()
    with _process("atomic-lti", [str(exe)], ATOMIC, {"PORT": str(port), **env}, b"listening"):
        yield f"http://127.0.0.1:{port}"
