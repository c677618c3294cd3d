"""Interop: an independent LTI 1.3 platform (lti1p3platform, tests/peers/platform_server.py)
launches into LTI Inspector's capture endpoint over loopback, through a headless browser.

  valid launch        -> landing page "Valid launch", flow verdict "valid", steps login → launch
                         (+ jwks_fetch), an LtiResourceLinkRequest id_token, no failed error
  faulty launches     -> each fails its rule, flow verdict "invalid"
  replayed form_post  -> the second POST of the same id_token+state is flagged
"""
from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from browser import Browser
from conftest import Inspector
from platform_server import PeerPlatform

LAUNCH_MESSAGE_TYPE = "LtiResourceLinkRequest"


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


@dataclass
class Launch:
    browser: Browser
    page: requests.Response
    flow_id: t.Optional[str]


def flow_id_from_page(html: str) -> t.Optional[str]:
    m = re.search(r"#/flows/([A-Za-z0-9_-]+)", html) or re.search(r"/open-in-inspector/flows/([A-Za-z0-9_-]+)", html)
    return m.group(1) if m else None


def run_launch(platform: PeerPlatform, fault: str = "none", browser: t.Optional[Browser] = None) -> Launch:
    b = browser or Browser()
    page = b.open(platform.launch_url(fault))
    return Launch(b, page, flow_id_from_page(page.text))


def findings(msg: dict) -> t.List[dict]:
    return msg["message"]["report"]["findings"]


def rule(msg: dict, rule_id: str) -> t.List[dict]:
    return [f for f in findings(msg) if f["rule_id"] == rule_id]


def failed(msg: dict, severity: t.Optional[str] = None) -> t.List[dict]:
    return [f for f in findings(msg) if f["outcome"] == "fail" and (severity is None or f["severity"] == severity)]


def failed_error_rules(msg: dict) -> t.Set[str]:
    return {f["rule_id"] for f in failed(msg, "error")}


def id_token_messages(detail: dict) -> t.List[dict]:
    return [m for m in detail["messages"] if m["message"]["kind"] == "id_token"]


def steps(detail: dict) -> t.List[t.Optional[str]]:
    return [x.get("step") for x in detail["exchanges"]]


def fmt_finding(f: dict) -> str:
    s = f"[{f['severity']}/{f['outcome']}] {f['rule_id']}: {f['message']}"
    for k in ("path", "expected", "actual", "hint"):
        if f.get(k) not in (None, ""):
            s += f"\n        {k}: {f[k]}"
    return s


def describe(detail: t.Optional[dict], launch: t.Optional[Launch] = None, platform: t.Optional[PeerPlatform] = None) -> str:
    """Everything useful when an assertion fails: browser transcript, exchanges, findings."""
    out: t.List[str] = []
    if launch is not None:
        out.append("browser transcript:\n" + launch.browser.transcript())
        verdicts = re.findall(r"(Valid launch|Invalid launch|Unverified launch)", launch.page.text)
        out.append(f"landing page: HTTP {launch.page.status_code} {verdicts or launch.page.text[:400]!r}")
    if platform is not None:
        if platform.errors:
            out.append(f"peer platform rejected: {platform.errors}")
        out.append(f"peer platform issued {len(platform.issued)} id_token(s) ({[i.fault for i in platform.issued]}), kid {platform.kid}")
    if detail is not None:
        fl = detail["flow"]
        out.append(f"flow {fl['id']}: verdict={fl['verdict']} title={fl.get('title')!r} summary={fl.get('summary')}")
        out.append("exchanges:")
        for x in detail["exchanges"]:
            out.append(f"  {x.get('step')!s:14} {x.get('direction', ''):8} {x['method']:4} {x['url']} -> {x.get('status')}{' ERROR ' + x['error'] if x.get('error') else ''}")
        out.append("messages:")
        for m in detail["messages"]:
            mm = m["message"]
            out.append(f"  #{m['id']} {mm['kind']} verdict={mm['verdict']} message_type={mm.get('message_type')}")
            for f in failed(m):
                out.append("      " + fmt_finding(f))
    return "\n".join(out)


def complete(n_id_tokens: int = 1) -> t.Callable[[dict], bool]:
    """The flow has its launch exchange recorded and n id_token messages."""

    def ready(detail: dict) -> bool:
        return len(id_token_messages(detail)) >= n_id_tokens and steps(detail).count("launch") >= n_id_tokens

    return ready


def launch_and_fetch(inspector: Inspector, platform: PeerPlatform, fault: str) -> t.Tuple[Launch, dict]:
    launch = run_launch(platform, fault)
    assert launch.flow_id, f"no flow id on the landing page\n{describe(None, launch, platform)}\n{launch.page.text[:3000]}"
    detail = inspector.wait_for_flow(launch.flow_id, complete())
    return launch, detail


# ---------------------------------------------------------------------------------------------
# the valid launch
# ---------------------------------------------------------------------------------------------


def test_valid_launch(inspector: Inspector, platform: PeerPlatform) -> None:
    launch, detail = launch_and_fetch(inspector, platform, "none")
    why = describe(detail, launch, platform)

    # The browser went platform → tool login → platform auth → form_post to the tool.
    s = launch.browser.steps
    assert [(x.why, x.method, x.url.split("?")[0], x.status) for x in s] == [
        ("navigate", "GET", f"{platform.base_url}/launch", 302),
        ("redirect", "GET", platform.tool_login_url, 302),
        ("redirect", "GET", platform.auth_endpoint, 200),
        ("auto-submit", "POST", platform.tool_launch_url, 200),
    ], why
    login_q = parse_qs(urlsplit(s[1].url).query)
    assert login_q["iss"] == [platform.issuer] and login_q["client_id"] == [platform.client_id], why
    assert login_q["lti_deployment_id"] == [platform.deployment_id], why
    state_cookies = [c for c in s[1].cookies_set if c.startswith("lti_state_")]
    assert state_cookies, f"the tool's login set no lti_state_ cookie\n{why}"
    assert state_cookies[0] in s[3].cookies_sent, f"the browser did not send {state_cookies[0]} with the form_post\n{why}"
    assert sorted(s[3].form_fields) == ["id_token", "state"], why

    # The peer accepted the tool's authentication request and issued one token.
    assert not platform.errors, why
    assert len(platform.issued) == 1 and platform.issued[0].launch_url == platform.tool_launch_url, why
    auth = platform.auth_requests[0]
    assert auth["redirect_uri"] == platform.tool_launch_url and auth["response_mode"] == "form_post", why

    assert launch.page.status_code == 200, why
    assert "Valid launch" in launch.page.text, why

    # The flow as the API reports it.
    flows = {f["id"]: f for f in inspector.rpc("list_flows", {})}
    assert launch.flow_id in flows, f"flow {launch.flow_id} not in list_flows\n{why}"
    summary = flows[launch.flow_id]
    assert summary["verdict"] == "valid", why
    assert summary["exchange_count"] >= 3, why
    assert detail["flow"]["verdict"] == "valid", why

    st = steps(detail)
    assert "login" in st and "launch" in st and st.index("login") < st.index("launch"), why
    fetches = [x for x in detail["exchanges"] if x.get("step") == "jwks_fetch"]
    assert fetches, f"no jwks_fetch exchange in the flow\n{why}"
    assert fetches[0]["url"] == platform.jwks_url and fetches[0]["status"] == 200, why

    kinds = [m["message"]["kind"] for m in detail["messages"]]
    assert kinds[:2] == ["login", "auth_request"] and kinds.count("id_token") == 1, why
    (tok,) = id_token_messages(detail)
    assert tok["message"]["message_type"] == LAUNCH_MESSAGE_TYPE, why
    assert tok["message"]["verdict"] == "valid", why
    assert tok["message"]["raw"] == platform.issued[0].id_token, "the recorded id_token is not the one the platform posted\n" + why
    for r in ("jwt.signature", "jwt.kid", "idtoken.aud", "idtoken.exp", "idtoken.nonce"):
        outcomes = [f["outcome"] for f in rule(tok, r)]
        assert outcomes and set(outcomes) == {"pass"}, f"{r}: {outcomes}\n{why}"

    # What the tool sent to the platform is what the platform received.
    auth_msg = next(m for m in detail["messages"] if m["message"]["kind"] == "auth_request")
    sent = {p["name"]: p["value"] for p in auth_msg["message"]["params"]}
    assert sent == auth, f"auth request recorded {sent} but the platform received {auth}\n{why}"

    for m in detail["messages"]:
        errs = failed(m, "error")
        assert not errs, f"{m['message']['kind']} has failed error findings\n{why}"


# ---------------------------------------------------------------------------------------------
# broken launches from the same platform
# ---------------------------------------------------------------------------------------------

# fault -> (rules of which at least one must fail, rules allowed to fail besides them)
FAULTS: t.Dict[str, t.Tuple[t.Set[str], t.Set[str]]] = {
    # azp names the other client too (the token was minted for another tool), so the azp check
    # may fail alongside aud.
    "wrong_aud": ({"idtoken.aud"}, {"idtoken.azp"}),
    # iat is an hour old as well: a maximum-token-age check, when configured, may fire.
    "expired": ({"idtoken.exp"}, {"idtoken.iat_age"}),
    # No key for the kid: the inspector may report it as jwt.kid, jwt.signature, or both.
    "unknown_kid": ({"jwt.kid", "jwt.signature"}, set()),
    "tampered": ({"jwt.signature"}, set()),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_faulty_launch(inspector: Inspector, platform: PeerPlatform, fault: str) -> None:
    must_any, also_ok = FAULTS[fault]
    launch, detail = launch_and_fetch(inspector, platform, fault)
    why = describe(detail, launch, platform)

    assert not platform.errors and len(platform.issued) == 1 and platform.issued[0].fault == fault, why
    assert launch.page.status_code == 200, why
    assert "Invalid launch" in launch.page.text, why

    (tok,) = id_token_messages(detail)
    assert tok["message"]["raw"] == platform.issued[0].id_token, why
    assert tok["message"]["message_type"] == LAUNCH_MESSAGE_TYPE, why
    errs = failed_error_rules(tok)
    hit = errs & must_any
    assert hit, f"{fault}: expected a failed error finding of {sorted(must_any)}, failed errors are {sorted(errs)}\n{why}"
    stray = errs - must_any - also_ok
    assert not stray, f"{fault}: rules unrelated to the fault failed too: {sorted(stray)}\n{why}"
    assert tok["message"]["verdict"] == "invalid", why
    assert detail["flow"]["verdict"] == "invalid", why
    flows = {f["id"]: f for f in inspector.rpc("list_flows", {})}
    assert flows[launch.flow_id]["verdict"] == "invalid", why

    # The login and auth request were fine: the fault is in the token only.
    for m in detail["messages"]:
        if m["message"]["kind"] != "id_token":
            assert not failed(m, "error"), why

    if fault == "unknown_kid":
        kid_findings = rule(tok, "jwt.kid")
        print(f"unknown_kid: jwt.kid={[f['outcome'] for f in kid_findings]} "
              f"jwt.signature={[f['outcome'] for f in rule(tok, 'jwt.signature')]}")
        # The key set was fetched (this platform's JWKS URL is new) and the kid is not in it.
        assert any(x.get("step") == "jwks_fetch" for x in detail["exchanges"]), why
        assert platform.rogue_kid != platform.kid and any(
            platform.rogue_kid in (f.get("actual") or "") + f["message"] for f in failed(tok)
        ), why
    if fault == "tampered":
        # Same key, same kid: the key was found, only the signature is wrong.
        assert [f["outcome"] for f in rule(tok, "jwt.kid")] == ["pass"], why
    if fault in ("wrong_aud", "expired"):
        # Correctly signed: only the claim is wrong.
        assert [f["outcome"] for f in rule(tok, "jwt.signature")] == ["pass"], why


# ---------------------------------------------------------------------------------------------
# replay of the form_post
# ---------------------------------------------------------------------------------------------


def test_replayed_form_post(inspector: Inspector, platform: PeerPlatform) -> None:
    """The browser POSTs the same id_token+state a second time (double submit / back button /
    replay). The inspector consumed the state at the first POST, and has seen the nonce."""
    first = run_launch(platform, "none")
    assert first.flow_id and "Valid launch" in first.page.text, describe(None, first, platform)
    inspector.wait_for_flow(first.flow_id, complete(1))

    replay_page = first.browser.resubmit_last_form()
    replay = Launch(first.browser, replay_page, flow_id_from_page(replay_page.text))
    assert replay.flow_id == first.flow_id, (
        f"the replayed POST landed in flow {replay.flow_id}, not the launch's flow {first.flow_id}\n{describe(None, replay, platform)}"
    )
    detail = inspector.wait_for_flow(first.flow_id, complete(2))
    why = describe(detail, replay, platform)

    assert "Invalid launch" in replay_page.text, why
    toks = id_token_messages(detail)
    assert len(toks) == 2, why
    original, again = toks
    assert original["message"]["verdict"] == "valid", why
    assert again["message"]["raw"] == original["message"]["raw"], why

    # Precisely: the state was already consumed (response.state) AND the nonce was already
    # received (idtoken.nonce_replay); the nonce itself still matches the one sent at login, and
    # the signature still verifies — nothing else is wrong with the token.
    state = rule(again, "response.state")
    assert any(f["outcome"] == "fail" and f["severity"] == "error" and "already used" in f["message"] for f in state), why
    replayed_nonce = rule(again, "idtoken.nonce_replay")
    assert any(f["outcome"] == "fail" and f["severity"] == "error" for f in replayed_nonce), why
    assert [f["outcome"] for f in rule(again, "idtoken.nonce")] == ["pass"], why
    assert [f["outcome"] for f in rule(again, "jwt.signature")] == ["pass"], why
    assert failed_error_rules(again) == {"response.state", "idtoken.nonce_replay"}, why

    assert again["message"]["verdict"] == "invalid", why
    assert detail["flow"]["verdict"] == "invalid", why
    # The browser had already dropped the state cookie (cleared by the first landing page).
    assert not any(c.startswith("lti_state_") for c in first.browser.steps[-1].cookies_sent), why


# ---------------------------------------------------------------------------------------------
# key rotation
# ---------------------------------------------------------------------------------------------


def test_key_rotation_refetches_jwks(inspector: Inspector, platform: PeerPlatform) -> None:
    """The platform rotates its key between two launches. The inspector already holds the old
    key set; the new token's kid is not in it, so it must fetch the JWKS again (SF §5.1.3 /
    LTI-NOTES rule 19) and the second launch is valid too."""
    first, d1 = launch_and_fetch(inspector, platform, "none")
    assert d1["flow"]["verdict"] == "valid", describe(d1, first, platform)
    old_kid = platform.kid
    new_kid = platform.rotate_key()
    assert new_kid != old_kid

    second, d2 = launch_and_fetch(inspector, platform, "none")
    why = describe(d2, second, platform)
    assert "Valid launch" in second.page.text, why
    (tok,) = id_token_messages(d2)
    assert [f["outcome"] for f in rule(tok, "jwt.kid")] == ["pass"], why
    assert [f["outcome"] for f in rule(tok, "jwt.signature")] == ["pass"], why
    assert any(new_kid in f["message"] for f in rule(tok, "jwt.signature")), why
    fetches = [x for x in d2["exchanges"] if x.get("step") == "jwks_fetch"]
    assert fetches and fetches[-1]["status"] == 200, f"no JWKS re-fetch in the second flow\n{why}"
    assert d2["flow"]["verdict"] == "valid", why
