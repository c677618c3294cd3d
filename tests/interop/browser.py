"""A headless "browser" for LTI launches: follows redirects, keeps cookies, and auto-submits
form_post pages the way their JavaScript would. Every request it makes is recorded as a Step.

Behaviour copied from real browsers where it matters for LTI:
  * Secure cookies are sent to http://localhost / 127.0.0.1 / [::1] — Chrome and Firefox treat
    loopback origins as potentially trustworthy, so the tool's `SameSite=None; Secure` state
    cookie set over plain http on localhost comes back. Python's cookiejar would drop it.
  * SameSite is not enforced (a SameSite=None cookie is sent on the cross-site form POST, as
    in a browser; this client has no notion of "site").
  * 301/302/303 after a POST become a GET; 307/308 repeat the method and body.
  * A page with a <form> and a script that calls `.submit()` (the OIDC form_post pattern) is
    submitted at once with every successful control of the first form — what `form.submit()`
    does (submit buttons are not included). Origin and Referer headers are sent like a browser.
"""
from __future__ import annotations

import http.cookiejar
import re
import typing as t
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]", "localhost.local"}


class LoopbackTrustworthyPolicy(http.cookiejar.DefaultCookiePolicy):
    """DefaultCookiePolicy, except Secure cookies also travel over http to loopback hosts."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: t.Any) -> bool:
        if cookie.secure:
            host = (urlsplit(request.get_full_url()).hostname or "").lower()
            if host in LOOPBACK_HOSTS or host.endswith(".localhost"):
                return True
        return super().return_ok_secure(cookie, request)


@dataclass
class Form:
    action: str
    method: str
    fields: t.List[t.Tuple[str, str]]
    id: t.Optional[str] = None

    def as_dict(self) -> t.Dict[str, str]:
        return dict(self.fields)


class _FormParser(HTMLParser):
    """Collects forms (action, method, successful controls) and inline script text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: t.List[Form] = []
        self.scripts: t.List[str] = []
        self._form: t.Optional[Form] = None
        self._in_script = False
        self._textarea: t.Optional[t.Tuple[str, t.List[str]]] = None
        self._select: t.Optional[t.Tuple[str, t.List[t.Tuple[str, bool]]]] = None
        self._option: t.Optional[t.List[t.Any]] = None
        self.body_onload = ""

    def handle_starttag(self, tag: str, attrs: t.List[t.Tuple[str, t.Optional[str]]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "body":
            self.body_onload = a.get("onload", "")
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")
        elif tag == "form":
            self._form = Form(action=a.get("action", ""), method=(a.get("method") or "GET").upper(), fields=[], id=a.get("id"))
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input":
            typ = a.get("type", "text").lower()
            name = a.get("name")
            if not name or typ in ("submit", "button", "image", "reset", "file"):
                return
            if typ in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.fields.append((name, a.get("value", "on" if typ in ("checkbox", "radio") else "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = (a["name"], [])
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        elif tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form.fields.append((self._textarea[0], "".join(self._textarea[1])))
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option[0] if self._option[0] is not None else self._option[2].strip()
            self._select[1].append((value, self._option[1]))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            opts = self._select[1]
            chosen = next((v for v, sel in opts if sel), opts[0][0] if opts else None)
            if chosen is not None:
                self._form.fields.append((self._select[0], chosen))
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._in_script and self.scripts:
            self.scripts[-1] += data
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option[2] += data


def parse_forms(html: str, base_url: str) -> t.Tuple[t.List[Form], bool]:
    """The page's forms (actions made absolute) and whether its script auto-submits one."""
    p = _FormParser()
    p.feed(html)
    p.close()
    for f in p.forms:
        f.action = urljoin(base_url, f.action) if f.action else base_url
    code = "\n".join(p.scripts) + "\n" + p.body_onload
    auto = bool(p.forms) and re.search(r"\.submit\s*\(", code) is not None
    return p.forms, auto


@dataclass
class Step:
    """One HTTP request the browser made and what came back."""

    method: str
    url: str
    status: int
    location: t.Optional[str] = None
    why: str = ""  # navigate | redirect | auto-submit | resubmit
    cookies_sent: t.List[str] = field(default_factory=list)
    cookies_set: t.List[str] = field(default_factory=list)
    form_fields: t.List[str] = field(default_factory=list)

    def __str__(self) -> str:
        s = f"{self.why:>11} {self.method:4} {self.url} -> {self.status}"
        if self.location:
            s += f" Location: {self.location[:160]}{'…' if len(self.location) > 160 else ''}"
        if self.form_fields:
            s += f" fields={self.form_fields}"
        if self.cookies_sent:
            s += f" cookies-sent={self.cookies_sent}"
        if self.cookies_set:
            s += f" set-cookie={self.cookies_set}"
        return s


class BrowserError(AssertionError):
    pass


class Browser:
    def __init__(self, max_steps: int = 20, timeout: float = 15.0, auto_submit: bool = True) -> None:
        self.session = requests.Session()
        self.session.cookies.set_policy(LoopbackTrustworthyPolicy())
        self.session.headers["User-Agent"] = "lti-interop-headless/1.0 (like Chrome)"
        self.session.headers["Accept"] = "text/html,application/xhtml+xml,*/*;q=0.8"
        self.max_steps = max_steps
        self.timeout = timeout
        self.auto_submit = auto_submit
        self.steps: t.List[Step] = []
        self.last_submission: t.Optional[t.Tuple[Form, str]] = None  # (form, page url)
        self.page: t.Optional[requests.Response] = None

    # ---- public API
    def open(self, url: str) -> requests.Response:
        """Navigates to url and settles: redirects followed, auto-submit forms submitted."""
        return self._settle(self._request("GET", url, why="navigate"))

    def submit(self, form: Form, page_url: str, why: str = "submit") -> requests.Response:
        """Submits a form (as form.submit() would) and settles."""
        return self._settle(self._submit(form, page_url, why))

    def resubmit_last_form(self) -> requests.Response:
        """Posts the last submitted form again (double submit / back-and-resubmit / replay)."""
        if not self.last_submission:
            raise BrowserError("no form was submitted yet")
        form, page_url = self.last_submission
        return self._settle(self._submit(form, page_url, "resubmit"))

    def transcript(self) -> str:
        return "\n".join(f"  {i + 1:2}. {s}" for i, s in enumerate(self.steps))

    # ---- internals
    def _submit(self, form: Form, page_url: str, why: str) -> requests.Response:
        self.last_submission = (form, page_url)
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page_url))
        headers = {"Referer": page_url}
        if form.method == "POST":
            headers["Origin"] = origin
            return self._request("POST", form.action, data=form.fields, headers=headers, why=why, fields=[k for k, _ in form.fields])
        return self._request("GET", form.action, params=form.fields, headers=headers, why=why, fields=[k for k, _ in form.fields])

    def _request(self, method: str, url: str, why: str, fields: t.Optional[t.List[str]] = None, **kw: t.Any) -> requests.Response:
        if len(self.steps) >= self.max_steps:
            raise BrowserError(f"more than {self.max_steps} steps; transcript:\n{self.transcript()}")
        req = requests.Request(method, url, **kw)
        prepared = self.session.prepare_request(req)
        # prepare_request merges cookies into a fresh jar with the default policy (which drops
        # Secure cookies on http): build the Cookie header from our jar, with our policy.
        prepared.headers.pop("Cookie", None)
        cookie_header = requests.cookies.get_cookie_header(self.session.cookies, prepared)
        if cookie_header:
            prepared.headers["Cookie"] = cookie_header
        sent = _cookie_names(prepared.headers.get("Cookie", ""))
        res = self.session.send(prepared, allow_redirects=False, timeout=self.timeout)
        set_cookies = [c.split("=", 1)[0].strip() for c in _set_cookie_headers(res)]
        self.steps.append(
            Step(
                method=method,
                url=prepared.url or url,
                status=res.status_code,
                location=res.headers.get("Location"),
                why=why,
                cookies_sent=sent,
                cookies_set=set_cookies,
                form_fields=fields or [],
            )
        )
        return res

    def _settle(self, res: requests.Response) -> requests.Response:
        while True:
            if res.is_redirect or (300 <= res.status_code < 400 and "Location" in res.headers):
                target = urljoin(res.url, res.headers["Location"])
                method = res.request.method or "GET"
                if res.status_code in (307, 308):
                    res = self._request(method, target, data=res.request.body, headers={"Content-Type": res.request.headers.get("Content-Type", "")}, why="redirect")
                else:
                    res = self._request("GET", target, why="redirect")
                continue
            self.page = res
            ctype = res.headers.get("Content-Type", "")
            if self.auto_submit and "html" in ctype:
                forms, auto = parse_forms(res.text, res.url)
                if auto:
                    res = self._submit(forms[0], res.url, "auto-submit")
                    continue
            return res


def _cookie_names(header: str) -> t.List[str]:
    return [kv.split("=", 1)[0].strip() for kv in header.split(";") if kv.strip()]


def _set_cookie_headers(res: requests.Response) -> t.List[str]:
    raw = getattr(res.raw, "headers", None)
    if raw is not None and hasattr(raw, "getlist"):
        return list(raw.getlist("Set-Cookie"))
    v = res.headers.get("Set-Cookie")
    return [v] if v else []
