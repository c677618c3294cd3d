"""The compatibility matrix (crates/lti-protocol/src/compat.json) still says what the libraries
do: PyLTI1p3, ltijs and atomic-lti are launched every case again over loopback, and any verdict
or message that differs fails here — rerun `make compat` and review the change."""
from __future__ import annotations

import compat
import peer_processes
from conftest import skip_or_fail


def test_a_fresh_run_agrees_with_the_stored_matrix() -> None:
    try:
        done = compat.run("check")
    except peer_processes.Missing as e:
        skip_or_fail(str(e))
    assert done.returncode == 0, done.stderr[-6000:]
    assert "agrees with a fresh run" in done.stderr, done.stderr[-3000:]
