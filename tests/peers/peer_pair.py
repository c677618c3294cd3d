"""Two independent peers wired to each other, with no LTI Inspector in the path: the
lti1p3platform platform (tests/peers/platform_server.py) registered with the PyLTI1p3 tool
(tests/peers/tool_server.py) and the other way round. The browser tests record a real
chromium HAR of a launch between them (playwright's recordHar) and import it — a customer's
file from a launch the inspector never saw.

Prints one JSON line — the launch URL, the platform's registration as LTI Inspector's
`save_platform` takes it, the tool's URLs — then serves until standard input closes.
Run: .venv-peers/bin/python tests/peers/peer_pair.py
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from platform_server import PeerPlatform  # noqa: E402
from tool_server import PeerTool  # noqa: E402


def main() -> None:
    tool = PeerTool().start()
    platform = PeerPlatform(tool.base_url, tool_paths=("/login", "/launch", "/jwks")).start()
    tool.configure(
        issuer=platform.issuer,
        client_id=platform.client_id,
        deployment_ids=[platform.deployment_id],
        auth_login_url=platform.auth_endpoint,
        auth_token_url=platform.token_endpoint,
        key_set_url=platform.jwks_url,
    )
    print(
        json.dumps(
            {
                "launch_url": platform.launch_url(),
                "expired_launch_url": platform.launch_url("expired"),
                "registration": platform.inspector_registration("lti1p3platform (customer LMS)"),
                "tool": {"base": tool.base_url, "login": tool.login_url, "launch": tool.launch_url},
            }
        ),
        flush=True,
    )
    sys.stdin.read()
    platform.stop()
    tool.stop()


if __name__ == "__main__":
    main()
