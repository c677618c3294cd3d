"""Interop: LTI Inspector's platform emulator launches into an independent LTI 1.3 tool
(PyLTI1p3 + Flask, tests/peers/tool_server.py) over loopback, through a headless browser.

  resource link launch  -> PyLTI1p3 accepts it (signature via the emulator's JWKS, nonce,
                           state cookie, registration, deployment); the emulator's flow is valid
  negative launches     -> PyLTI1p3 refuses each one
  deep linking          -> the tool answers with an ltiResourceLink (PyLTI1p3's DeepLink API);
                           the emulator checks it and stores it as a resource link with its
                           line item
  services              -> with PyLTI1p3's service classes the tool gets a token (JWT client
                           assertion), reads the roster (NRPS), creates a line item, posts a
                           score and reads results (AGS); the score shows in `get_gradebook`
"""
from __future__ import annotations

import json
import re
import typing as t
from html import unescape

import pytest
import requests

from browser import Browser
from conftest import Inspector
from tool_server import PeerTool
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

DEMO_COURSE = "demo-course"


@pytest.fixture(scope="module")
def setup(inspector: Inspector) -> t.Dict[str, t.Any]:
    s = inspector.rpc("get_emulator_setup")
    assert s["running"], f"the emulator is not running: {s}"
    return s


@pytest.fixture
def tool(inspector: Inspector, setup: t.Dict[str, t.Any]) -> t.Iterator[t.Tuple[PeerTool, t.Dict[str, t.Any]]]:
    """A fresh PyLTI1p3 tool, registered in the emulator, with the emulator registered in it."""
    peer = PeerTool().start()
    try:
        registered = inspector.rpc("save_emulator_tool", peer.emulator_registration(name=f"PyLTI1p3 :{peer.base_url.rsplit(':', 1)[1]}"))
        peer.configure(
            issuer=setup["issuer"],
            client_id=registered["client_id"],
            deployment_ids=registered["deployment_ids"],
            auth_login_url=setup["auth_endpoint"],
            auth_token_url=setup["token_endpoint"],
            key_set_url=setup["jwks_url"],
        )
        yield peer, registered
    finally:
        peer.stop()


def launch_page(inspector: Inspector, args: t.Dict[str, t.Any]) -> t.Tuple[Browser, requests.Response, t.Dict[str, t.Any]]:
    started = inspector.rpc("launch_url", args)
    b = Browser()
    page = b.open(started["url"])
    return b, page, started


def launch_summary(page: requests.Response, b: Browser) -> t.Dict[str, t.Any]:
    m = re.search(r'<pre id="launch">(.*?)</pre>', page.text, re.S)
    assert page.status_code == 200 and m, f"PyLTI1p3 did not accept the launch (HTTP {page.status_code}):\n{page.text[:2000]}\n{b.transcript()}"
    return json.loads(unescape(m.group(1)))


def failed_errors(detail: t.Dict[str, t.Any]) -> t.List[str]:
    out = []
    for m in detail["messages"]:
        for f in m["message"]["report"]["findings"]:
            if f["outcome"] == "fail" and f["severity"] == "error":
                out.append(f"{m['message']['kind']}: {f['rule_id']}: {f['message']}")
    return out


def add_link(inspector: Inspector, tool_id: str, title: str = "PyLTI1p3 activity") -> t.Dict[str, t.Any]:
    return inspector.rpc("save_resource_link", {"course_id": DEMO_COURSE, "tool_id": tool_id, "title": title, "score_maximum": 10})


def test_resource_link_launch_is_accepted(inspector: Inspector, tool: t.Tuple[PeerTool, t.Dict[str, t.Any]]) -> None:
    peer, reg = tool
    link = add_link(inspector, reg["id"])
    b, page, started = launch_page(inspector, {"tool_id": reg["id"], "user_id": "demo-learner-1", "resource_link_id": link["id"]})
    summary = launch_summary(page, b)
    assert summary["message_type"] == "LtiResourceLinkRequest"
    assert summary["sub"] == "demo-learner-1"
    assert summary["resource_link"]["id"] == link["id"]
    assert summary["custom"] == {"peer_user": "demo-learner-1", "peer_course": "demo-course-101"}
    assert any(r.endswith("membership#Learner") for r in summary["roles"])
    assert summary["has_nrps"] and summary["has_ags"]
    # The browser went: emulator launch page -> tool login -> emulator /auth -> tool /launch.
    urls = [s.url for s in b.steps]
    assert len(urls) == 4, b.transcript()
    assert urls[1].startswith(peer.login_url) and "/auth?" in urls[2] and urls[3] == peer.launch_url, b.transcript()
    # The emulator judged the tool's authentication request and its own token: nothing failed.
    detail = inspector.wait_for_flow(started["flow_id"], lambda d: len(d["exchanges"]) >= 2)
    assert [m["message"]["kind"] for m in detail["messages"]] == ["login", "auth_request", "id_token"]
    assert failed_errors(detail) == [], failed_errors(detail)
    assert detail["flow"]["verdict"] == "valid"
    assert not peer.errors, peer.errors


NEGATIVE = ["idtoken.exp", "idtoken.aud", "idtoken.nonce", "idtoken.iss_registered", "lti.deployment_id", "jwt.kid", "jwt.signature", "jwt.alg"]


@pytest.mark.parametrize("negative", NEGATIVE)
def test_pylti1p3_refuses_each_negative_launch(inspector: Inspector, tool: t.Tuple[PeerTool, t.Dict[str, t.Any]], negative: str) -> None:
    peer, reg = tool
    link = add_link(inspector, reg["id"])
    b, page, started = launch_page(inspector, {"tool_id": reg["id"], "user_id": "demo-learner-2", "resource_link_id": link["id"], "negative": negative})
    assert page.status_code == 400 and "LTI launch refused" in page.text, f"{negative}: PyLTI1p3 accepted it:\n{page.text[:1500]}\n{b.transcript()}"
    assert peer.errors, negative
    detail = inspector.get_flow(started["flow_id"])
    assert detail["flow"]["summary"].get("negative_test") == negative
    token = [m for m in detail["messages"] if m["message"]["kind"] == "id_token"][0]
    assert any(f["rule_id"] == negative and f["outcome"] == "fail" for f in token["message"]["report"]["findings"])


def test_deep_linking_round_trip_stores_the_returned_link(inspector: Inspector, tool: t.Tuple[PeerTool, t.Dict[str, t.Any]]) -> None:
    peer, reg = tool
    b, page, started = launch_page(
        inspector, {"tool_id": reg["id"], "user_id": "demo-instructor", "course_id": DEMO_COURSE, "message_type": "LtiDeepLinkingRequest"}
    )
    assert page.status_code == 200 and "Content added to the course" in page.text, f"{page.text[:3000]}\n{b.transcript()}"
    assert "PyLTI1p3 chapter" in page.text and "Chapter 7 quiz" in page.text
    # launch page -> login -> auth -> tool launch (DL response form) -> emulator return
    assert len(b.steps) == 5 and "/deep-linking/" in b.steps[-1].url, b.transcript()
    course = [c for c in inspector.rpc("list_emulator_courses") if c["course"]["id"] == DEMO_COURSE][0]
    links = [l for l in course["resource_links"] if l["tool_id"] == reg["id"] and l["source"] == "deep_linking"]
    assert [l["title"] for l in links] == ["PyLTI1p3 chapter"]
    assert links[0]["custom"] == {"chapter": "7"}
    items = [i for i in course["line_items"] if i["resource_link_id"] == links[0]["id"]]
    assert [(i["label"], i["score_maximum"], i["tag"]) for i in items] == [("Chapter 7 quiz", 50.0, "chapter-7")]
    detail = inspector.wait_for_flow(started["flow_id"], lambda d: any(m["message"]["kind"] == "dl_response" for m in d["messages"]))
    assert failed_errors(detail) == [], failed_errors(detail)
    assert any(e.get("step") == "tool_jwks_fetch" for e in detail["exchanges"]), "the tool's key set was fetched by URL"

    # The stored link launches into the tool, carrying its custom parameters and line item.
    b, page, _ = launch_page(inspector, {"tool_id": reg["id"], "user_id": "demo-learner-3", "resource_link_id": links[0]["id"]})
    summary = launch_summary(page, b)
    assert summary["custom"]["chapter"] == "7"


# Item types PyLTI1p3's DeepLinkResource can produce: it sets type, title, url, custom,
# icon and lineItem only — no `html`, width/height or mediaType — so an html item is beyond it.
PYLTI_ITEMS: t.Dict[str, t.Callable[[PeerTool], DeepLinkResource]] = {
    "ltiResourceLink": lambda p: DeepLinkResource().set_title("PyLTI1p3 graded chapter").set_url(p.launch_url)
    .set_custom_params({"chapter": "8"}).set_icon_url("https://example.org/icon.png")
    .set_lineitem(LineItem().set_label("Chapter 8 quiz").set_score_maximum(20).set_tag("chapter-8")),
    "link": lambda p: DeepLinkResource().set_type("link").set_title("PyLTI1p3 reading").set_url("https://example.org/reading"),
    "file": lambda p: DeepLinkResource().set_type("file").set_title("PyLTI1p3 handout").set_url("https://example.org/handout.pdf"),
    "image": lambda p: DeepLinkResource().set_type("image").set_title("PyLTI1p3 diagram").set_url("https://example.org/diagram.png"),
}


@pytest.mark.parametrize("item_type", list(PYLTI_ITEMS))
def test_each_item_type_pylti1p3_returns_is_previewed(inspector: Inspector, tool: t.Tuple[PeerTool, t.Dict[str, t.Any]], item_type: str) -> None:
    peer, reg = tool
    make = PYLTI_ITEMS[item_type]
    peer.dl_resources = lambda p: [make(p)]
    b, page, started = launch_page(
        inspector, {"tool_id": reg["id"], "user_id": "demo-instructor", "course_id": DEMO_COURSE, "message_type": "LtiDeepLinkingRequest"}
    )
    assert page.status_code == 200 and 'id="accepted"' in page.text, f"{page.text[:3000]}\n{b.transcript()}"
    # The preview places the item as a course module would, with its findings beside it.
    items = re.findall(r'data-testid="preview-item"[^>]*data-type="([^"]+)"', page.text)
    assert items == [item_type], (items, page.text[:3000])
    title = make(peer).get_title()
    assert title in page.text
    if item_type == "ltiResourceLink":
        assert 'data-testid="item-launch"' in page.text and "Chapter 8 quiz" in page.text
    if item_type == "file":
        assert 'data-testid="item-download"' in page.text
    if item_type == "image":
        assert 'class="picture"' in page.text
    detail = inspector.wait_for_flow(started["flow_id"], lambda d: any(m["message"]["kind"] == "dl_response" for m in d["messages"]))
    assert failed_errors(detail) == [], failed_errors(detail)
    # The same content on the course's content page.
    content = requests.get(f"{inspector.rpc('get_emulator_setup')['issuer']}/courses/{DEMO_COURSE}/content", timeout=10)
    assert content.status_code == 200 and title in content.text


def test_nrps_and_ags_calls_and_the_gradebook(inspector: Inspector, tool: t.Tuple[PeerTool, t.Dict[str, t.Any]]) -> None:
    peer, reg = tool
    link = add_link(inspector, reg["id"], "PyLTI1p3 graded activity")
    b, page, started = launch_page(inspector, {"tool_id": reg["id"], "user_id": "demo-learner-2", "resource_link_id": link["id"]})
    summary = launch_summary(page, b)
    res = requests.get(f"{peer.base_url}/services/{summary['launch_id']}", params={"score": "8", "tag": "peer-quiz"}, timeout=30)
    out = res.json()
    assert res.status_code == 200, out

    members = {m["user_id"]: m for m in out["members"]}
    assert {"demo-instructor", "demo-learner-1", "demo-learner-2"} <= set(members), out["members"]
    assert all(m["status"] == "Active" for m in out["members"])
    assert out["lineitem"]["label"] == "PyLTI1p3 peer-quiz"
    assert out["lineitem"]["id"].startswith(inspector.rpc("get_emulator_setup")["issuer"])
    grades = out["grades"]
    assert len(grades) == 1 and grades[0]["userId"] == "demo-learner-2", grades
    assert grades[0]["resultScore"] == 8 and grades[0]["resultMaximum"] == 10
    assert any(li["label"] == "PyLTI1p3 graded activity" for li in out["lineitems"]), "the declarative line item is listed too"

    # The gradebook, through the API.
    book = inspector.rpc("get_gradebook", {"course_id": DEMO_COURSE})
    column = [c for c in book["line_items"] if c["line_item"]["label"] == "PyLTI1p3 peer-quiz" and c["line_item"]["tool_id"] == reg["id"]]
    assert len(column) == 1, book["line_items"]
    cells = [c for c in book["cells"] if c["line_item_id"] == column[0]["line_item"]["id"]]
    assert [(c["user_id"], c["score_given"], c["result_score"], c["grading_progress"]) for c in cells] == [
        ("demo-learner-2", 8.0, 8.0, "FullyGraded")
    ]
    assert cells[0]["comment"] == "Graded by the PyLTI1p3 peer"

    # A second run finds the line item (no duplicate) and its later score replaces the first.
    again = requests.get(f"{peer.base_url}/services/{summary['launch_id']}", params={"score": "9", "tag": "peer-quiz"}, timeout=30).json()
    assert again["lineitem"]["id"] == out["lineitem"]["id"]
    assert again["grades"][0]["resultScore"] == 9

    # The service session was recorded with the tool's behaviour judged: nothing failed.
    flows = inspector.rpc("list_flows", {"limit": 50})
    sessions = [f for f in flows if f["kind"] == "service" and reg["name"] in f["title"]]
    assert sessions, [f["title"] for f in flows]
    for s in sessions:
        detail = inspector.get_flow(s["id"])
        assert failed_errors(detail) == [], failed_errors(detail)
        assert detail["flow"]["verdict"] == "valid"


def test_a_reminted_customer_launch_is_accepted_by_pylti1p3(inspector: Inspector, tool: t.Tuple[PeerTool, t.Dict[str, t.Any]]) -> None:
    """Replay (issue 11, item 3): a customer's launch, imported as a claims object, is re-minted
    through the emulator into the PyLTI1p3 tool, which verifies it and sees the customer's
    person, roles, context and custom claims."""
    peer, reg = tool
    customer = {
        "iss": "https://customer.instructure.com", "aud": "10000000000042", "sub": "cust-42", "name": "Customer Student",
        "iat": 1700000000, "exp": 1700000300, "nonce": "old",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "17:abc",
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "cust-course-9", "title": "Customer Course"},
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "cust-rl-1"},
        "https://purl.imsglobal.org/spec/lti/claim/custom": {"canvas_user_login_id": "cstudent"},
    }
    imported = inspector.rpc("import", {"name": "ticket.json", "text": json.dumps(customer)})
    flow_id = imported["flows"][0]["id"]
    out = inspector.rpc("remint", {"flow_id": flow_id, "tool_id": reg["id"], "user_id": "demo-learner-1"})
    b = Browser()
    page = b.open(out["launch"]["url"])
    summary = launch_summary(page, b)
    assert summary["sub"] == "cust-42"
    assert summary["resource_link"]["id"] == "cust-rl-1"
    assert summary["custom"] == {"canvas_user_login_id": "cstudent"}
    assert any(r.endswith("membership#Learner") for r in summary["roles"])
    assert not peer.errors, peer.errors
