"""Interop: LTI Inspector's service client (tool side) against an independent platform
implementation — lti1p3platform 0.1.8 (tests/peers/platform_server.py) serving NRPS and AGS.

The peer launches into the capture endpoint (the flow of test_platform_to_capture) with the
library's AGS claim (lineitems, the link's lineitem, scopes lineitem / result.readonly / score)
and NRPS claim. Then, through the inspector's command API on that flow:

  get_roster        -> client_credentials token (JWT assertion signed with the tool key,
                       validated by the library against the tool's JWKS URL), then the peer's
                       three members
  save_line_item    -> a new line item POSTed to the peer's lineitems URL (201, its URL as id)
  list_line_items   -> the link's line item and the new one
  post_score        -> the score lands in the peer's own store (seen via GET /debug/store)
  get_results       -> the result derived from that score

Every operation's findings come back in its result (`log.findings`) and are stored on the
flow; no error-severity finding may fail unless it names a deviation of the peer (listed in
PEER_DEVIATIONS, each explained).
"""
from __future__ import annotations

import typing as t

import pytest
import requests

from conftest import Inspector
from platform_server import CONTEXT_ID, DEFAULT_RESOURCE_LINK, DEFAULT_USER, ROLE_INSTRUCTOR, ROLE_LEARNER, PeerPlatform
from test_platform_to_capture import describe, fmt_finding, launch_and_fetch

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

# (rule_id, substring of the finding's message) of error findings that fail because the PEER
# deviates from the spec — the inspector is right to report them. Empty: none observed with
# lti1p3platform 0.1.8 on these calls (see the module notes in platform_server.py for the
# library's deviations the tool side cannot observe).
PEER_DEVIATIONS: t.List[t.Tuple[str, str]] = []


def _required(inspector: Inspector) -> None:
    from conftest import _bindings_commands, skip_or_fail

    bindings = _bindings_commands()
    missing = [c for c in ("get_roster", "list_line_items", "save_line_item", "post_score", "get_results") if f"{c}:" not in bindings]
    if missing:
        skip_or_fail(f"the inspector binary has no service client commands ({', '.join(missing)}): rebuild it")


def failed_errors(log: dict) -> t.List[dict]:
    return [f for f in log["findings"] if f["outcome"] == "fail" and f["severity"] == "error"]


def unexpected_errors(log: dict) -> t.List[dict]:
    return [f for f in failed_errors(log) if not any(f["rule_id"] == r and s in f["message"] for r, s in PEER_DEVIATIONS)]


def fmt_log(name: str, log: dict) -> str:
    out = [f"{name}:"]
    for c in log["calls"]:
        out.append(f"  {c['step']:6} {c['method']:6} {c['url']} -> {c.get('status')}{' ERROR ' + c['error'] if c.get('error') else ''}")
    for f in log["findings"]:
        if f["outcome"] != "pass":
            out.append("    " + fmt_finding(f))
    return "\n".join(out)


def peer_store(platform: PeerPlatform) -> dict:
    res = requests.get(f"{platform.base_url}/debug/store", timeout=5)
    res.raise_for_status()
    return res.json()


def test_services_against_lti1p3platform(inspector: Inspector, platform: PeerPlatform) -> None:
    _required(inspector)
    launch, detail = launch_and_fetch(inspector, platform, "none")
    why = describe(detail, launch, platform)
    assert launch.flow_id and "Valid launch" in launch.page.text, why
    flow = launch.flow_id

    # The launch carries the library's service claims.
    (tok,) = [m for m in detail["messages"] if m["message"]["kind"] == "id_token"]
    claims = tok["decoded"]["payload"]
    link_item_url = platform.lineitem_url(platform.link_line_items[DEFAULT_RESOURCE_LINK])
    ags = claims[AGS_CLAIM]
    assert ags["lineitems"] == platform.lineitems_url and ags["lineitem"] == link_item_url, why
    assert set(ags["scope"]) == {SCOPE_LINEITEM, SCOPE_RESULT, SCOPE_SCORE}, why
    assert claims[NRPS_CLAIM] == {"context_memberships_url": platform.memberships_url, "service_versions": ["2.0"]}, why

    logs: t.List[str] = []

    def ctx() -> str:
        return "\n".join(logs) + f"\npeer service calls: {platform.service_calls}\npeer token requests: {[(e['status'], e['response'].get('error')) for e in platform.token_requests]}\n" + why

    def rpc(command: str, args: dict) -> dict:
        try:
            out = inspector.rpc(command, {"flow_id": flow, **args})
        except AssertionError as e:
            raise AssertionError(f"{e}\n{ctx()}\ninspector stderr:\n{inspector.stderr_tail()}") from None
        logs.append(fmt_log(command, out["log"]))
        return out

    # ---- NRPS: the roster
    roster = rpc("get_roster", {})
    assert not unexpected_errors(roster["log"]), ctx()
    by_id = {m["user_id"]: m for m in roster["members"]}
    assert set(by_id) == {m["user_id"] for m in platform.members}, ctx()
    assert by_id[DEFAULT_USER]["roles"] == [ROLE_LEARNER] and by_id[DEFAULT_USER]["name"] == "Ada Peer", ctx()
    assert by_id["peer-teacher-1"]["roles"] == [ROLE_INSTRUCTOR], ctx()
    assert all(m["status"] == "Active" for m in roster["members"]), ctx()
    assert (roster.get("context") or {}).get("id") == CONTEXT_ID, ctx()
    assert [c["step"] for c in roster["log"]["calls"]] == ["token", "nrps"], ctx()

    # The token request the library accepted: client_credentials with our JWT assertion,
    # signed by the tool key (the library fetched the tool JWKS to verify it).
    assert len(platform.token_requests) == 1, ctx()
    treq = platform.token_requests[0]
    assert treq["status"] == 200, ctx()
    assert treq["form"]["grant_type"] == "client_credentials", ctx()
    assert treq["form"]["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", ctx()
    assert set(treq["form"]["scope"].split()) == {SCOPE_LINEITEM, SCOPE_RESULT, SCOPE_SCORE, SCOPE_NRPS}, ctx()
    ac = treq["assertion_claims"]
    assert ac["iss"] == ac["sub"] == platform.client_id, ctx()
    assert ac["aud"] == platform.token_endpoint, ctx()
    assert ac.get("jti") and ac["exp"] > ac["iat"], ctx()
    assert treq["assertion_header"].get("alg") == "RS256" and treq["assertion_header"].get("kid"), ctx()
    jwks = requests.get(f"{inspector.tool_base}/.well-known/jwks.json", timeout=5).json()
    assert treq["assertion_header"]["kid"] in {k.get("kid") for k in jwks["keys"]}, ctx()

    # Role filter: the library's NRPS handler passes ?role= to our data page.
    teachers = rpc("get_roster", {"role": "Instructor"})
    assert [m["user_id"] for m in teachers["members"]] == ["peer-teacher-1"], ctx()

    # rlid filter: the link of the launch belongs to the tool (the library checks it).
    by_link = rpc("get_roster", {"rlid": DEFAULT_RESOURCE_LINK})
    assert not unexpected_errors(by_link["log"]), ctx()
    assert len(by_link["members"]) == len(platform.members), ctx()

    # ---- AGS: create a line item
    saved = rpc("save_line_item", {"line_item": {"label": "Interop quiz", "scoreMaximum": 10, "resourceId": "quiz-1", "tag": "interop"}})
    assert not unexpected_errors(saved["log"]), ctx()
    new_url = saved["item"]["id"]
    assert new_url and new_url.startswith(platform.lineitems_url + "/"), ctx()
    assert saved["item"]["label"] == "Interop quiz" and saved["item"]["scoreMaximum"] == 10, ctx()
    assert [c["status"] for c in saved["log"]["calls"] if c["step"] == "ags"] == [201], ctx()
    # One token for every call so far (cached per registration and scopes).
    assert len(platform.token_requests) == 1, ctx()

    listed = rpc("list_line_items", {})
    assert not unexpected_errors(listed["log"]), ctx()
    assert {i["id"] for i in listed["items"]} == {link_item_url, new_url}, ctx()
    tagged = rpc("list_line_items", {"tag": "interop"})
    assert [i["id"] for i in tagged["items"]] == [new_url], ctx()

    # ---- AGS: post a score to the new line item, for the launching user
    posted = rpc("post_score", {"line_item_url": new_url, "score_given": 7.5, "score_maximum": 10, "comment": "well done"})
    assert not unexpected_errors(posted["log"]), ctx()
    assert posted["status"] in (200, 201, 202, 204), ctx()
    assert posted["score"]["userId"] == DEFAULT_USER, ctx()

    # The peer's own store has it, exactly as sent.
    store = peer_store(platform)
    got = store["scores"].get(new_url, {}).get(DEFAULT_USER)
    assert got is not None, f"the peer stored no score for {DEFAULT_USER} on {new_url}: {store['scores']}\n{ctx()}"
    assert got == posted["score"], ctx()
    assert got["scoreGiven"] == 7.5 and got["scoreMaximum"] == 10 and got["comment"] == "well done", ctx()
    assert got["activityProgress"] == "Completed" and got["gradingProgress"] == "FullyGraded", ctx()

    # A score for the link's own line item (the launch's lineitem claim: the default URL).
    posted2 = rpc("post_score", {"user_id": "peer-user-43", "score_given": 80, "score_maximum": 100})
    assert not unexpected_errors(posted2["log"]), ctx()
    assert peer_store(platform)["scores"][link_item_url]["peer-user-43"]["scoreGiven"] == 80, ctx()

    # ---- AGS: results
    results = rpc("get_results", {"line_item_url": new_url})
    assert not unexpected_errors(results["log"]), ctx()
    assert len(results["results"]) == 1, ctx()
    (r,) = results["results"]
    assert r["userId"] == DEFAULT_USER and r["resultScore"] == 7.5 and r["resultMaximum"] == 10, ctx()
    assert r["scoreOf"] == new_url and r.get("comment") == "well done", ctx()
    link_results = rpc("get_results", {})
    assert [(x["userId"], x["resultScore"]) for x in link_results["results"]] == [("peer-user-43", 80)], ctx()

    # Everything above was stored on the launch's flow: token + nrps + ags exchanges, and the
    # response messages carry the same findings (none failed at error severity).
    final = inspector.get_flow(flow)
    st = [x.get("step") for x in final["exchanges"]]
    assert st.count("token") == 1 and st.count("nrps") >= 2 and st.count("ags") >= 7, f"{st}\n{ctx()}"
    for m in final["messages"]:
        kind = m["message"]["kind"]
        if kind in ("token_request", "nrps_response", "ags_response"):
            errs = [f for f in m["message"]["report"]["findings"] if f["outcome"] == "fail" and f["severity"] == "error"
                    and not any(f["rule_id"] == rid and s in f["message"] for rid, s in PEER_DEVIATIONS)]
            assert not errs, f"{kind} #{m['id']}: " + "; ".join(fmt_finding(f) for f in errs) + "\n" + ctx()
    assert all(status < 400 for _, _, status in platform.service_calls), ctx()


def test_paging_against_lti1p3platform(inspector: Inspector, platform: PeerPlatform) -> None:
    """`limit` makes the library page (Link: <…>; rel=next). The inspector follows the links.

    PEER DEVIATION (lti1p3platform 0.1.8, service_connector.py): the paging handlers compute
    the next page as `query_params.get("page", 1) + 1`, but query values are strings, so on
    page 2 of 3 or more pages `"2" + 1` raises TypeError and the platform answers 500. Two
    pages work (page 2 has no next link, the addition is never reached). The inspector must
    report the 500 of the third-page request as a failed `service.status` — which is right:
    it is the platform that is broken."""
    _required(inspector)
    launch, detail = launch_and_fetch(inspector, platform, "none")
    why = describe(detail, launch, platform)
    assert launch.flow_id and "Valid launch" in launch.page.text, why
    flow = launch.flow_id

    # Two pages: 2 + 1 members, the next link followed once.
    two = inspector.rpc("get_roster", {"flow_id": flow, "limit": 2})
    why2 = fmt_log("get_roster limit=2", two["log"]) + f"\npeer calls: {platform.service_calls}\n" + why
    assert not unexpected_errors(two["log"]), why2
    assert sorted(m["user_id"] for m in two["members"]) == sorted(m["user_id"] for m in platform.members), why2
    pages = [c["url"] for c in two["log"]["calls"] if c["step"] == "nrps"]
    assert len(pages) == 2 and "page=2" in pages[1] and "limit=2" in pages[1], why2

    # Line items: the link's item + one more, one per page.
    saved = inspector.rpc("save_line_item", {"flow_id": flow, "line_item": {"label": "Second", "scoreMaximum": 5}})
    assert not unexpected_errors(saved["log"]), fmt_log("save_line_item", saved["log"])
    items = inspector.rpc("list_line_items", {"flow_id": flow, "limit": 1})
    why3 = fmt_log("list_line_items limit=1", items["log"]) + f"\npeer calls: {platform.service_calls}\n" + why
    assert not unexpected_errors(items["log"]), why3
    assert len(items["items"]) == 2 and len([c for c in items["log"]["calls"] if c["step"] == "ags"]) == 2, why3

    # Three pages: the library breaks on page 2 (500); the inspector reports it.
    with pytest.raises(AssertionError) as err:
        inspector.rpc("get_roster", {"flow_id": flow, "limit": 1})
    assert "500" in str(err.value), f"{err.value}\npeer calls: {platform.service_calls}"
    assert [s for _, p, s in platform.service_calls if p.startswith("/nrps/") and "limit=1" in p] == [200, 500], platform.service_calls
    final = inspector.get_flow(flow)
    last = [m for m in final["messages"] if m["message"]["kind"] == "nrps_response"][-1]
    failed_status = [f for f in last["message"]["report"]["findings"]
                     if f["rule_id"] == "service.status" and f["outcome"] == "fail" and f["severity"] == "error"]
    assert failed_status and "500" in failed_status[0]["message"] and "page=2" in failed_status[0]["message"], (
        "; ".join(fmt_finding(f) for f in last["message"]["report"]["findings"]))
    assert "TypeError" in (failed_status[0].get("actual") or ""), fmt_finding(failed_status[0])
    assert last["message"]["verdict"] == "invalid", last["message"]["verdict"]


def test_revoked_token_gets_one_retoken(inspector: Inspector, platform: PeerPlatform) -> None:
    """The platform rotates its signing key: every access token it issued before no longer
    verifies (the library's validate_token checks the signature with the current key), so the
    cached token is refused with 401. The inspector must get one fresh token and retry once."""
    _required(inspector)
    launch, detail = launch_and_fetch(inspector, platform, "none")
    assert launch.flow_id and "Valid launch" in launch.page.text, describe(detail, launch, platform)
    flow = launch.flow_id

    first = inspector.rpc("get_roster", {"flow_id": flow})
    assert [(c["step"], c["status"]) for c in first["log"]["calls"]] == [("token", 200), ("nrps", 200)], fmt_log("get_roster", first["log"])
    platform.rotate_key()

    again = inspector.rpc("get_roster", {"flow_id": flow})
    why = fmt_log("get_roster after rotation", again["log"]) + f"\npeer calls: {platform.service_calls}"
    assert [(c["step"], c["status"]) for c in again["log"]["calls"]] == [("nrps", 401), ("token", 200), ("nrps", 200)], why
    assert not unexpected_errors(again["log"]), why
    assert len(again["members"]) == len(platform.members), why
    assert [e["status"] for e in platform.token_requests] == [200, 200], why
    # The new token is cached: a third call needs no token request.
    third = inspector.rpc("get_roster", {"flow_id": flow})
    assert [c["step"] for c in third["log"]["calls"]] == ["nrps"], fmt_log("third get_roster", third["log"])


# Regression: the operation result used to drop the token step's findings.
def test_token_findings_are_in_the_operation_result(inspector: Inspector, platform: PeerPlatform) -> None:
    _required(inspector)
    launch, _detail = launch_and_fetch(inspector, platform, "none")
    roster = inspector.rpc("get_roster", {"flow_id": launch.flow_id})
    assert [c["step"] for c in roster["log"]["calls"]] == ["token", "nrps"]
    # The flow has the token response's checks ...
    final = inspector.get_flow(launch.flow_id)
    token_msgs = [m for m in final["messages"] if m["message"]["kind"] == "token_request"]
    assert token_msgs and any(f["rule_id"] == "service.token_response" for f in token_msgs[0]["message"]["report"]["findings"])
    # ... and "every call's findings are in its result": so must the operation's result.
    assert any(f["rule_id"] == "service.token_response" for f in roster["log"]["findings"]), fmt_log("get_roster", roster["log"])


# Regression: every 403 used to be blamed on a missing scope.
def test_foreign_rlid_403_is_not_blamed_on_the_scope(inspector: Inspector, platform: PeerPlatform) -> None:
    _required(inspector)
    launch, _detail = launch_and_fetch(inspector, platform, "none")
    with pytest.raises(AssertionError) as err:
        inspector.rpc("get_roster", {"flow_id": launch.flow_id, "rlid": "a-link-of-another-tool"})
    assert "403" in str(err.value)
    # The token the inspector used was granted the NRPS scope by the platform.
    assert SCOPE_NRPS in platform.token_requests[-1]["response"]["scope"].split()
    final = inspector.get_flow(launch.flow_id)
    last = [m for m in final["messages"] if m["message"]["kind"] == "nrps_response"][-1]
    failed = [f for f in last["message"]["report"]["findings"] if f["outcome"] == "fail"]
    assert failed, last
    assert not any("lacks the scope" in f["message"] for f in failed), "; ".join(fmt_finding(f) for f in failed)
