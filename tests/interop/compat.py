"""`make compat`: start PyLTI1p3, ltijs and atomic-lti tools on loopback, register one platform
(the harness, crates/lti-inspector/src/bin/compat) with each, and let the harness launch every
case into them. `--write` stores the matrix (crates/lti-protocol/src/compat.json); `--check`
compares a fresh run with it (what test_compat.py does in `make test`).

  python tests/interop/compat.py --write   |   --check   [--only CASE_PREFIX]
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import subprocess
import sys
import typing as t
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "peers"))
sys.path.insert(0, str(HERE))

import peer_processes  # noqa: E402
from tool_server import PeerTool  # noqa: E402

MATRIX = peer_processes.ROOT / "crates" / "lti-protocol" / "src" / "compat.json"
CLIENT_ID = "compat-client"
DEPLOYMENTS = ["compat-deployment-1", "compat-deployment-2"]


def harness_bin() -> Path:
    target = os.environ.get("CARGO_TARGET_DIR") or str(peer_processes.ROOT / "target")
    return Path(os.environ.get("LTI_COMPAT_BIN") or Path(target) / "debug" / "compat")


def run(mode: str, path: Path = MATRIX, only: t.Optional[str] = None) -> subprocess.CompletedProcess:
    """Runs the harness against the three libraries; returns the finished process (its stderr
    holds one line per case and library)."""
    exe = harness_bin()
    if not exe.exists():
        raise peer_processes.Missing(f"the compat harness is not built ({exe}; cargo build -p lti-inspector --bin compat)")
    reserved = peer_processes.ReservedPort()
    port = reserved.port
    issuer = f"http://127.0.0.1:{port}"
    platform = {"url": issuer, "clientId": CLIENT_ID, "jwksUrl": f"{issuer}/jwks", "authUrl": f"{issuer}/auth", "tokenUrl": f"{issuer}/token"}
    with contextlib.ExitStack() as stack:
        pylti = stack.enter_context(PeerTool())
        pylti.configure(issuer, CLIENT_ID, DEPLOYMENTS, platform["authUrl"], platform["tokenUrl"], platform["jwksUrl"])
        pg = stack.enter_context(peer_processes.postgres())
        ltijs = stack.enter_context(peer_processes.ltijs(pg, {"COMPAT_PLATFORM": json.dumps(platform), "LTIJS_DEV_MODE": "false"}))
        atomic = stack.enter_context(
            peer_processes.atomic_lti({"ISSUER": issuer, "CLIENT_ID": CLIENT_ID, "JWKS_URL": platform["jwksUrl"], "AUTH_URL": platform["authUrl"], "TOKEN_URL": platform["tokenUrl"]})
        )
        peers = [
            f"PyLTI1p3|{importlib.metadata.version('PyLTI1p3')}|{pylti.login_url}|{pylti.launch_url}",
            f"ltijs|{peer_processes.ltijs_version()}|{ltijs}/login|{ltijs}/",
            f"atomic-lti|{peer_processes.atomic_version()}|{atomic}/login|{atomic}/launch",
        ]
        argv = [str(exe), "--listen", f"127.0.0.1:{port}", "--client-id", CLIENT_ID, "--deployment-id", DEPLOYMENTS[0], "--other-deployment-id", DEPLOYMENTS[1]]
        for p in peers:
            argv += ["--peer", p]
        argv += [f"--{mode}", str(path)]
        if only:
            argv += ["--only", only]
        reserved.release()
        return subprocess.run(argv, capture_output=True, text=True, timeout=600)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    ap.add_argument("--only")
    ap.add_argument("--matrix", default=str(MATRIX))
    a = ap.parse_args()
    done = run("write" if a.write else "check", Path(a.matrix), a.only)
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
