"""An independent LTI 1.3 *platform* (an LMS stand-in) built on the `lti1p3platform` library.

It is an interop peer for LTI Inspector's capture endpoint (the tool side): the library does
the real platform work — the registration, the OIDC third-party initiated login URL, the
validation of the tool's authentication request, building the LtiResourceLinkRequest claims,
signing the id_token, the auto-submitting form_post page and the JWKS. This module only wires
the library into a small Flask app and adds *fault injection* for negative interop tests.

Endpoints (base = http://127.0.0.1:PORT, also the issuer):
  GET  /launch?fault=…&user=…&resource_link=…   a user clicks a link in the LMS: starts the OIDC
                                                  third-party login towards the tool (302 to
                                                  {tool}/lti/login?iss=…&login_hint=…)
  GET|POST /auth                                  the OIDC authorization endpoint: validates the
                                                  tool's auth request and answers with the
                                                  auto-submitting form_post of id_token + state
  GET  /.well-known/jwks.json                     the platform's public key set

LTI Advantage services (the tool side of LTI Inspector calls them). Every launch carries the
library's AGS claim (`set_ags`: lineitems URL, the link's own lineitem, scopes lineitem /
result.readonly / score) and NRPS claim (`set_nrps`: context_memberships_url, ["2.0"]):
  POST /token                                     client_credentials with a JWT client assertion:
                                                  `LTI1P3PlatformConfAbstract.get_access_token`
                                                  verifies it against the tool's JWKS URL of the
                                                  registration and signs the access token
  GET  /nrps/peer-course-101/memberships          NamesRoleProvisioningService.handle_get_members
  GET|POST /ags/peer-course-101/lineitems         AssignmentsGradesService.handle_get_lineitems /
                                                  handle_create_lineitem
  GET|PUT|DELETE /ags/…/lineitems/<id>            handle_get_lineitem / _update_ / _delete_
  POST /ags/…/lineitems/<id>/scores               handle_update_score
  GET  /ags/…/lineitems/<id>/results              handle_get_results
  GET  /debug/store                               the LMS's own view: line items, the last score
                                                  per user, token requests (with the decoded
                                                  client assertion), service calls
The handlers (bearer-token check against the scopes, media types, status codes, paging Link
headers) are the library's; the peer supplies the in-memory data (three members, line items,
scores) and the HTTP adapter (`to_flask`, a port of the library's Django `wrap_json_resp`).
Results: the library has the handler and the TResult shape but no result model, so results are
derived here from the last score per user. Library deviations met on the way (see the tests):
  * paging: next page = `query_params.get("page", 1) + 1` on a *string* query value — page 2 of
    3+ pages raises TypeError (500); test_paging_against_lti1p3platform asserts the inspector
    reports it;
  * `get_member_data_page(**query_params)` gets `rlid` though its abstract signature has no such
    parameter (worked around with **kwargs here);
  * `authenticate` lets validate_token's exceptions escape (bad signature, expired → 500):
    mapped to 401 here, as a platform answers;
  * validate_token accepts a token holding ANY of the service's scopes (a score-only token can
    create line items); get_access_token does not check the assertion's aud/iss/sub/jti
    (`verify_aud: False`) and silently drops unknown scopes;
  * scores are not validated (scoreGiven without scoreMaximum is accepted with 201); a score
    POST answers 201 with the body `null` labelled application/vnd.ims.lis.v2.lineitem+json.

Faults (`fault=` on /launch; carried to /auth through the opaque lti_message_hint, the way
real LMSs carry per-launch data):
  none         a valid launch
  wrong_aud    aud (and azp) name another client id: the token was issued for another tool
  expired      iat/exp shifted an hour into the past: exp is long gone
  unknown_kid  signed with a second key whose kid is not in the served JWKS
  tampered     one byte of the RS256 signature flipped after signing

How the faults are injected (the narrowest hooks into the library):
  * wrong_aud — `PeerMessageLaunch.get_launch_message`: the library's method builds the claims
    (it sets aud/azp from the registration's client id); the override calls it and then replaces
    aud/azp. Everything downstream (nonce, signing, the form) is the library's.
  * expired / unknown_kid / tampered — `FaultInjectingRegistration.platform_encode_and_sign`,
    the library's single token-encoding step (MessageLaunch.generate_launch_request calls it):
      - expired: the library stamps iat/exp itself when given an `expiration`; the override sets
        iat = now-3600, exp = iat+lifetime in the payload and passes expiration=None so the
        library signs them as they are (same key, same kid, same `Registration.encode_and_sign`).
      - unknown_kid: the override signs through the library's static `Registration.encode_and_sign`
        with a second ("rogue") private key and that key's kid (its RFC 7638 thumbprint, the
        library's own kid scheme). `get_jwks()` only publishes the registration's public key, so
        the kid is not in the served JWKS.
      - tampered: the library signs normally; the override then decodes the signature segment,
        flips the bits of one byte in the middle and re-encodes it (still valid base64url, still
        256 bytes, so only the cryptographic check can catch it).

Run standalone: python tests/peers/platform_server.py --tool http://localhost:PORT
"""
from __future__ import annotations

import argparse
import base64
import json
import secrets
import threading
import time
import typing as t
from dataclasses import dataclass, field
from urllib.parse import urlencode

import jwt
from flask import Flask, Response, jsonify, redirect, request
from jwcrypto.jwk import JWK
from markupsafe import escape
from werkzeug.serving import WSGIRequestHandler, make_server

from lti1p3platform import exceptions as lti_exceptions
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.response import Response as LtiResponse, generate_next_link
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
    TPage,
)
from lti1p3platform.membership import Context
from lti1p3platform.lineitem import TLineItem
from lti1p3platform.score import TScore, UpdateScoreStatus
from lti1p3platform.result import TResult

try:  # the library's own auto-submitting form_post page (imports pkg_resources)
    from lti1p3platform.framework.templates import template as LAUNCH_TEMPLATE
except Exception:  # pragma: no cover - setuptools missing
    LAUNCH_TEMPLATE = None

FAULTS = ("none", "wrong_aud", "expired", "unknown_kid", "tampered")

OTHER_CLIENT_ID = "some-other-tool-client-id"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"

# The one course of this LMS: the launch's context and the NRPS/AGS data behind it.
CONTEXT_ID = "peer-course-101"
CONTEXT_LABEL = "INT101"
CONTEXT_TITLE = "Interop 101"
DEFAULT_USER = "peer-user-42"
DEFAULT_RESOURCE_LINK = "peer-resource-link-1"


def _new_rsa_pem_pair() -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh 2048-bit RSA key."""
    key = JWK.generate(kty="RSA", size=2048)
    return (
        key.export_to_pem(private_key=True, password=None).decode(),
        key.export_to_pem().decode(),
    )


def _b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _unverified_jwt(token: str) -> t.Tuple[t.Dict[str, t.Any], t.Dict[str, t.Any]]:
    """(header, claims) of a JWS, unverified — for the record only."""
    h, b, _sig = token.split(".")
    return json.loads(_b64url_decode(h)), json.loads(_b64url_decode(b))


def _b64url_encode(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


# --------------------------------------------------------------------------------------------
# Library glue: request adapter, registration (with the signing hook), config, login, launch
# --------------------------------------------------------------------------------------------


class FlaskRequest(Request):
    """Adapter from a Flask request to the library's Request (as its Django adapter does)."""

    def build_metadata(self, req: t.Any) -> TRequest:
        return {
            "method": req.method,
            "form_data": req.form.to_dict(),
            "get_data": req.args.to_dict(),
            "headers": dict(req.headers),
            "content_type": req.content_type,
            "path": req.path,
            "json": req.get_json(silent=True),
        }


class FaultInjectingRegistration(Registration):
    """The library's Registration; only its token-encoding step is hooked (see module doc)."""

    fault: str = "none"
    rogue_private_key: t.Optional[str] = None
    rogue_public_key: t.Optional[str] = None

    def platform_encode_and_sign(
        self, payload: t.Dict[str, t.Any], expiration: t.Optional[int] = None
    ) -> str:
        if self.fault == "expired":
            lifetime = expiration or 300
            issued = int(time.time()) - 3600
            payload.update({"iat": issued, "exp": issued + lifetime})
            # expiration=None: the library would otherwise re-stamp iat/exp with the current time.
            return super().platform_encode_and_sign(payload, expiration=None)

        if self.fault == "unknown_kid":
            assert self.rogue_private_key and self.rogue_public_key
            rogue_kid = Registration.get_jwk(self.rogue_public_key)["kid"]
            return Registration.encode_and_sign(
                payload, self.rogue_private_key, {"kid": rogue_kid}, expiration=expiration
            )

        token = super().platform_encode_and_sign(payload, expiration=expiration)

        if self.fault == "tampered":
            header, body, signature = token.split(".")
            sig = bytearray(_b64url_decode(signature))
            sig[len(sig) // 2] ^= 0xFF
            token = ".".join([header, body, _b64url_encode(bytes(sig))])
        return token


class PeerPlatformConf(LTI1P3PlatformConfAbstract):
    """One registration (the tool = LTI Inspector's capture endpoint), built per request so
    that each launch can carry its own fault."""

    def init_platform_config(self, **kwargs: t.Any) -> None:
        self._peer: "PeerPlatform" = kwargs["peer"]
        self._fault: str = kwargs.get("fault", "none")

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        peer = self._peer
        reg = FaultInjectingRegistration()
        reg.set_iss(peer.issuer)
        reg.set_client_id(peer.client_id)
        reg.set_deployment_id(peer.deployment_id)
        reg.set_oidc_login_url(peer.tool_login_url)
        reg.set_launch_url(peer.tool_launch_url)
        reg.set_platform_private_key(peer.private_key)
        reg.set_platform_public_key(peer.public_key)
        reg.set_tool_key_set_url(peer.tool_jwks_url)
        # Without it the library silently sends LtiResourceLinkRequest instead of deep linking.
        reg.set_deeplink_launch_url(f"{peer.tool_base}/lti/deep-link")
        reg.fault = self._fault
        reg.rogue_private_key = peer.rogue_private_key
        reg.rogue_public_key = peer.rogue_public_key
        return reg


class PeerOIDCLogin(OIDCLoginAbstract):
    """Step 1: the library builds the third-party initiated login URL; we send the redirect."""

    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["lti_message_hint"]

    def get_redirect(self, url: str) -> Response:
        return redirect(url, code=302)


class AuthRequestRejected(Exception):
    """The tool's authentication request is not acceptable (answered with HTTP 400)."""


class PeerMessageLaunch(LTIAdvantageMessageLaunchAbstract):
    """Steps 2-3: the library validates the auth request and builds/signs the launch."""

    def __init__(self, request: Request, platform_config: PeerPlatformConf, launch: "PendingLaunch", peer: "PeerPlatform") -> None:
        super().__init__(request, platform_config)
        self._launch = launch
        self._peer = peer

    def validate_preflight_response(self, preflight_response: t.Dict[str, t.Any]) -> None:
        # The library checks nonce, state, redirect_uri presence and client_id.
        super().validate_preflight_response(preflight_response)
        # What an LMS also enforces (SF §5.1.1.2) but the library leaves to the integrator.
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "login_hint": self._launch.user_id,
        }
        for name, value in expected.items():
            got = preflight_response.get(name)
            if got != value:
                raise AuthRequestRejected(f"{name}={got!r}, expected {value!r}")
        redirect_uri = preflight_response.get("redirect_uri")
        if redirect_uri not in self._peer.registered_redirect_uris:
            raise AuthRequestRejected(
                f"redirect_uri {redirect_uri!r} is not registered ({self._peer.registered_redirect_uris})"
            )

    def get_launch_message(self, include_extra_claims: bool = True) -> t.Dict[str, t.Any]:
        message = super().get_launch_message(include_extra_claims)
        if self._launch.fault == "wrong_aud":
            # The token names another tool's client id as its audience (and authorized party).
            message["aud"] = OTHER_CLIENT_ID
            message["azp"] = OTHER_CLIENT_ID
        return message

    def render_launch_form(self, launch_data: t.Dict[str, t.Any], **kwargs: t.Any) -> Response:
        # The library template does not autoescape: escape the values (state comes from the tool).
        data = {k: escape(v) for k, v in launch_data.items()}
        self._peer._record_issued(self._launch, launch_data)
        if LAUNCH_TEMPLATE is not None:
            html = LAUNCH_TEMPLATE.render(data)
        else:  # pragma: no cover - same markup as the library's launch.html
            html = (
                f'<form method="POST" action="{data["launch_url"]}" id="form">'
                f'<input type="hidden" name="id_token" value="{data["id_token"]}" />'
                f'<input type="hidden" name="state" value="{data["state"]}" /></form>'
                '<script>document.getElementById("form").submit();</script>'
            )
        return Response(html, mimetype="text/html")


# --------------------------------------------------------------------------------------------
# LTI Advantage services: the library's service connector, backed by the peer's in-memory store
# --------------------------------------------------------------------------------------------


def to_flask(resp: LtiResponse) -> Response:
    """The library's Response as HTTP — a port of its own Django adapter
    (`lti1p3platform.framework.django.response.wrap_json_resp`): a page's `content` becomes the
    body, its `next` the `Link: <…>; rel=next` header, errors become {"error": message}."""
    if 200 <= resp.code < 300:
        data = resp.result["content"] if resp.result and "content" in resp.result else resp.result
        out = Response(json.dumps(data), status=resp.code, content_type=resp.media_type)
        if resp.result and "next" in resp.result and resp.result["next"]:
            out.headers["Link"] = generate_next_link(resp.result["next"])
        return out
    return Response(json.dumps({"error": resp.message}), status=resp.code, content_type=resp.media_type)


def _page(items: t.List[t.Any], page: t.Any = 1, limit: t.Any = None) -> TPage:
    page_n = max(int(page or 1), 1)
    if not limit:
        return {"content": list(items), "has_next": False, "next": None}
    n = max(int(limit), 1)
    chunk = items[(page_n - 1) * n : page_n * n]
    return {"content": chunk, "has_next": page_n * n < len(items), "next": None}


class PeerAGS(AssignmentsGradesService):
    """The library's AGS service (`handle_*` do the bearer-token check with the scopes, the
    media types, the 201/404 and the paging); only the storage is ours."""

    def __init__(self, request: Request, platform_config: "PeerPlatformConf", peer: "PeerPlatform", line_item_id: t.Optional[str] = None) -> None:
        super().__init__(
            request,
            platform_config,
            lineitems_url=peer.lineitems_url,
            lineitem_url=peer.lineitem_url(line_item_id) if line_item_id else None,
        )
        self._peer = peer

    def find_lineitems(self, page: int = 1, limit: t.Optional[int] = None, line_item_id: t.Optional[str] = None,
                       resource_link_id: t.Optional[str] = None, resource_id: t.Optional[str] = None,
                       tag: t.Optional[str] = None, **_ignored: t.Any) -> TPage:
        with self._peer._lock:
            items = list(self._peer.line_items.values())
        if resource_link_id:
            items = [i for i in items if i.get("resourceLinkId") == resource_link_id]
        if resource_id:
            items = [i for i in items if i.get("resourceId") == resource_id]
        if tag:
            items = [i for i in items if i.get("tag") == tag]
        return _page(items, page, limit)

    def find_lineitem(self, line_item_id: str) -> TLineItem:
        with self._peer._lock:
            item = self._peer.line_items.get(line_item_id)
        if item is None:
            raise lti_exceptions.LineItemNotFoundException(line_item_id)
        return item

    def create_lineitem(self, creation_data: TLineItem) -> TLineItem:
        return self._peer.add_line_item(dict(creation_data))  # type: ignore[return-value]

    def update_lineitem(self, update_data: TLineItem) -> TLineItem:
        item_id = update_data["id"]
        with self._peer._lock:
            if item_id not in self._peer.line_items:
                raise lti_exceptions.LineItemNotFoundException(item_id)
            item = {**self._peer.line_items[item_id], **update_data, "id": self._peer.lineitem_url(item_id)}
            self._peer.line_items[item_id] = item
        return item  # type: ignore[return-value]

    def delete_lineitem(self, line_item_id: str) -> None:
        with self._peer._lock:
            if self._peer.line_items.pop(line_item_id, None) is None:
                raise lti_exceptions.LineItemNotFoundException(line_item_id)
            self._peer.scores.pop(line_item_id, None)

    def update_score(self, line_item_id: str, score: TScore) -> UpdateScoreStatus:
        with self._peer._lock:
            if line_item_id not in self._peer.line_items:
                raise lti_exceptions.LineItemNotFoundException(line_item_id)
            per_user = self._peer.scores.setdefault(line_item_id, {})
            user = str(score.get("userId"))
            created = user not in per_user
            per_user[user] = dict(score)
        return UpdateScoreStatus.CREATED if created else UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id: str, page: int = 1, limit: t.Optional[int] = None,
                    user_id: t.Optional[str] = None, **_ignored: t.Any) -> TPage:
        # The library has the handler and the TResult shape but no result model: results are
        # derived here from the latest score per user (AGS §3.3: the result is the platform's
        # current grade; resultMaximum defaults to 1, so the score's maximum is carried over).
        with self._peer._lock:
            if line_item_id not in self._peer.line_items:
                raise lti_exceptions.LineItemNotFoundException(line_item_id)
            scores = dict(self._peer.scores.get(line_item_id, {}))
        item_url = self._peer.lineitem_url(line_item_id)
        results: t.List[TResult] = []
        for uid, sc in sorted(scores.items()):
            if user_id and uid != user_id:
                continue
            r: TResult = {"id": f"{item_url}/results/{uid}", "scoreOf": item_url, "userId": uid}  # type: ignore[typeddict-item]
            if sc.get("scoreGiven") is not None:
                r["resultScore"] = sc["scoreGiven"]
                r["resultMaximum"] = sc.get("scoreMaximum", 1)
            if sc.get("comment"):
                r["comment"] = sc["comment"]
            results.append(r)
        return _page(results, page, limit)


class PeerNRPS(NamesRoleProvisioningService):
    """The library's NRPS service (token check, container media type, member cleaning, the
    rlid ownership check and paging); only the roster data is ours."""

    def __init__(self, request: Request, platform_config: "PeerPlatformConf", peer: "PeerPlatform") -> None:
        super().__init__(request, platform_config, context_memberships_url=peer.memberships_url)
        self._peer = peer

    # The library calls get_member_data_page(**query_params): with `rlid` in the query the
    # abstract signature (page, limit, role, since) would raise TypeError, hence **_ignored.
    def get_member_data_page(self, page: int = 1, limit: t.Optional[int] = None, role: t.Optional[str] = None,
                             since: t.Optional[str] = None, **_ignored: t.Any) -> TPage:
        members = [dict(m) for m in self._peer.members]
        if role:
            want = role if "#" in role or "/" in role else None
            members = [m for m in members if any(r == want or r.endswith("#" + role) for r in m["roles"])]
        return _page(members, page, limit)

    def get_context_by_id(self) -> Context:
        return Context(id=CONTEXT_ID, label=CONTEXT_LABEL, title=CONTEXT_TITLE)

    def is_resource_link_valid(self, context_id: str, resource_link_id: str) -> bool:
        return context_id == CONTEXT_ID and resource_link_id in self._peer.resource_links


# --------------------------------------------------------------------------------------------
# The peer platform
# --------------------------------------------------------------------------------------------


@dataclass
class PendingLaunch:
    """What the LMS remembers about one click on a link: found again by lti_message_hint."""

    hint: str
    fault: str
    user_id: str
    resource_link_id: str
    roles: t.List[str]
    # "resource" (LtiResourceLinkRequest) or "deep_linking" (LtiDeepLinkingRequest).
    message: str = "resource"
    created_at: float = field(default_factory=time.time)


@dataclass
class IssuedLaunch:
    """An id_token the platform form-posted (for cross-checks and diagnostics)."""

    hint: str
    fault: str
    launch_url: str
    state: str
    id_token: str


class PeerPlatform:
    """The platform server. `start()` runs it in a daemon thread on 127.0.0.1 (free port)."""

    def __init__(
        self,
        tool_base: str,
        client_id: str = "lti1p3platform-peer-client",
        deployment_id: str = "lti1p3platform-peer-deployment-1",
        host: str = "127.0.0.1",
        port: int = 0,
        quiet: bool = True,
        tool_paths: t.Tuple[str, str, str] = ("/lti/login", "/lti/launch", "/.well-known/jwks.json"),
    ) -> None:
        self.tool_base = tool_base.rstrip("/")
        # The tool's login, launch and JWKS paths: LTI Inspector's by default; another tool
        # (the PyLTI1p3 peer: /login, /launch, /jwks) names its own.
        self.tool_paths = tool_paths
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.private_key, self.public_key = _new_rsa_pem_pair()
        # Never published: signs the unknown_kid fault.
        self.rogue_private_key, self.rogue_public_key = _new_rsa_pem_pair()
        self.pending: t.Dict[str, PendingLaunch] = {}
        self.issued: t.List[IssuedLaunch] = []
        # Deep linking responses received at /dl-return/<hint>: what the library made of each.
        self.dl_returns: t.List[t.Dict[str, t.Any]] = []
        self.auth_requests: t.List[t.Dict[str, t.Any]] = []
        self.errors: t.List[str] = []
        self._lock = threading.Lock()
        # LTI Advantage data of the one course (CONTEXT_ID), in memory.
        self.members: t.List[t.Dict[str, t.Any]] = [
            {"user_id": DEFAULT_USER, "roles": [ROLE_LEARNER], "status": "Active", "name": "Ada Peer",
             "given_name": "Ada", "family_name": "Peer", "email": "ada.peer@example.edu"},
            {"user_id": "peer-user-43", "roles": [ROLE_LEARNER], "status": "Active", "name": "Grace Peer",
             "given_name": "Grace", "family_name": "Peer", "email": "grace.peer@example.edu"},
            {"user_id": "peer-teacher-1", "roles": [ROLE_INSTRUCTOR], "status": "Active", "name": "Alan Teacher",
             "given_name": "Alan", "family_name": "Teacher", "email": "alan.teacher@example.edu"},
        ]
        self.resource_links: t.Set[str] = set()
        self.line_items: t.Dict[str, t.Dict[str, t.Any]] = {}  # local id -> line item (id = its URL)
        self.link_line_items: t.Dict[str, str] = {}  # resource link id -> local line item id
        self.scores: t.Dict[str, t.Dict[str, t.Dict[str, t.Any]]] = {}  # line item id -> userId -> last score
        self.token_requests: t.List[t.Dict[str, t.Any]] = []  # each: form, assertion claims, status
        self.service_calls: t.List[t.Tuple[str, str, int]] = []  # (method, path, status)
        self._next_item = 1
        self.app = self._make_app()
        self._server = make_server(host, port, self.app, threaded=True, request_handler=_QuietHandler if quiet else None)
        self.base_url = f"http://{host}:{self._server.server_port}"
        self._thread: t.Optional[threading.Thread] = None

    # ---- the registration as both sides see it
    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def auth_endpoint(self) -> str:
        return f"{self.base_url}/auth"

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/.well-known/jwks.json"

    @property
    def token_endpoint(self) -> str:
        return f"{self.base_url}/token"

    @property
    def lineitems_url(self) -> str:
        return f"{self.base_url}/ags/{CONTEXT_ID}/lineitems"

    def lineitem_url(self, item_id: str) -> str:
        return f"{self.lineitems_url}/{item_id}"

    @property
    def memberships_url(self) -> str:
        return f"{self.base_url}/nrps/{CONTEXT_ID}/memberships"

    @property
    def tool_login_url(self) -> str:
        return f"{self.tool_base}{self.tool_paths[0]}"

    @property
    def tool_launch_url(self) -> str:
        return f"{self.tool_base}{self.tool_paths[1]}"

    @property
    def tool_jwks_url(self) -> str:
        return f"{self.tool_base}{self.tool_paths[2]}"

    @property
    def registered_redirect_uris(self) -> t.List[str]:
        return [self.tool_launch_url]

    @property
    def kid(self) -> str:
        return Registration.get_jwk(self.public_key)["kid"]

    @property
    def rogue_kid(self) -> str:
        return Registration.get_jwk(self.rogue_public_key)["kid"]

    def rotate_key(self) -> str:
        """Replaces the platform's signing key (the JWKS then serves only the new one), as an
        LMS does when it rotates keys. Returns the new kid."""
        private_key, public_key = _new_rsa_pem_pair()
        with self._lock:
            self.private_key, self.public_key = private_key, public_key
        return self.kid

    def launch_url(self, fault: str = "none", **params: str) -> str:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
        return f"{self.base_url}/launch?{urlencode({'fault': fault, **params})}"

    def inspector_registration(self, name: str = "lti1p3platform peer") -> t.Dict[str, t.Any]:
        """The arguments of LTI Inspector's `save_platform` for this platform."""
        return {
            "name": name,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_ids": [self.deployment_id],
            "auth_endpoint": self.auth_endpoint,
            "token_endpoint": self.token_endpoint,
            "jwks_url": self.jwks_url,
        }

    # ---- LTI Advantage data
    def add_line_item(self, data: t.Dict[str, t.Any]) -> t.Dict[str, t.Any]:
        with self._lock:
            local = str(self._next_item)
            self._next_item += 1
            item = {**data, "id": self.lineitem_url(local)}
            self.line_items[local] = item
        return item

    def line_item_for_link(self, resource_link_id: str, label: str) -> str:
        """The line item of a resource link (created on its first launch): its URL."""
        with self._lock:
            self.resource_links.add(resource_link_id)
            local = self.link_line_items.get(resource_link_id)
        if local is None:
            item = self.add_line_item({"label": label, "scoreMaximum": 100, "resourceLinkId": resource_link_id})
            local = item["id"].rsplit("/", 1)[1]
            with self._lock:
                self.link_line_items[resource_link_id] = local
        return self.lineitem_url(local)

    def store_snapshot(self) -> t.Dict[str, t.Any]:
        with self._lock:
            return {
                "line_items": list(self.line_items.values()),
                "scores": {self.lineitem_url(k): dict(v) for k, v in self.scores.items()},
                "token_requests": list(self.token_requests),
                "service_calls": [list(c) for c in self.service_calls],
            }

    # ---- lifecycle
    def start(self) -> "PeerPlatform":
        self._thread = threading.Thread(target=self._server.serve_forever, name="peer-platform", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "PeerPlatform":
        return self.start()

    def __exit__(self, *exc: t.Any) -> None:
        self.stop()

    # ---- internals
    def _config(self, fault: str = "none") -> PeerPlatformConf:
        conf = PeerPlatformConf(peer=self, fault=fault)
        conf.get_registration()
        return conf

    def _record_issued(self, launch: PendingLaunch, launch_data: t.Dict[str, t.Any]) -> None:
        with self._lock:
            self.issued.append(
                IssuedLaunch(
                    hint=launch.hint,
                    fault=launch.fault,
                    launch_url=launch_data["launch_url"],
                    state=launch_data["state"],
                    id_token=launch_data["id_token"],
                )
            )

    def _make_app(self) -> Flask:
        app = Flask("lti1p3platform-peer")

        @app.get("/.well-known/jwks.json")
        def jwks() -> Response:
            return jsonify(self._config().get_jwks())

        @app.get("/launch")
        def launch() -> Response:
            fault = request.args.get("fault", "none")
            if fault not in FAULTS:
                return Response(f"unknown fault {fault!r}", status=400)
            role = ROLE_INSTRUCTOR if request.args.get("role") == "instructor" else ROLE_LEARNER
            pending = PendingLaunch(
                hint=secrets.token_urlsafe(16),
                fault=fault,
                user_id=request.args.get("user", DEFAULT_USER),
                resource_link_id=request.args.get("resource_link", DEFAULT_RESOURCE_LINK),
                roles=[role],
                message=request.args.get("message", "resource"),
            )
            with self._lock:
                self.pending[pending.hint] = pending
            login = PeerOIDCLogin(FlaskRequest(request), self._config(fault))
            login.set_lti_message_hint(lti_message_hint=pending.hint)
            if pending.message == "deep_linking":
                login.set_deeplinking_launch_url()
            return login.initiate_login(pending.user_id)

        @app.route("/auth", methods=["GET", "POST"])
        def auth() -> Response:
            params = {**request.args.to_dict(), **request.form.to_dict()}
            with self._lock:
                self.auth_requests.append(params)
                pending = self.pending.get(params.get("lti_message_hint", ""))
            if pending is None:
                return self._reject(f"unknown lti_message_hint {params.get('lti_message_hint')!r}")
            msg = PeerMessageLaunch(FlaskRequest(request), self._config(pending.fault), pending, self)
            msg.set_user_data(
                pending.user_id,
                pending.roles,
                full_name="Ada Peer",
                email_address="ada.peer@example.edu",
            )
            if pending.message == "deep_linking":
                msg.set_dl(f"{self.base_url}/dl-return/{pending.hint}", title="Pick content", description="interop", extra_data=f"data-{pending.hint}")
            else:
                msg.set_resource_link_claim(pending.resource_link_id, title="Interop activity", description="Launched by the lti1p3platform peer")
            msg.set_launch_context_claim(
                CONTEXT_ID,
                context_types=["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
                context_title=CONTEXT_TITLE,
                context_label=CONTEXT_LABEL,
            )
            # LTI Advantage services through the library's own claim helpers.
            msg.set_ags(
                self.lineitems_url,
                None if pending.message == "deep_linking" else self.line_item_for_link(pending.resource_link_id, "Interop activity"),
                allow_creating_lineitems=True,
                results_service_enabled=True,
                scores_service_enabled=True,
            )
            msg.set_nrps(self.memberships_url)
            msg.set_launch_presentation_claim(document_target="iframe", return_url=f"{self.base_url}/return")
            msg.set_extra_claims(
                {
                    "https://purl.imsglobal.org/spec/lti/claim/tool_platform": {
                        "guid": "lti1p3platform-peer",
                        "name": "lti1p3platform peer",
                        "product_family_code": "lti1p3platform",
                    }
                }
            )
            try:
                return msg.lti_launch()
            except AuthRequestRejected as e:
                return self._reject(str(e))
            except lti_exceptions.PreflightRequestValidationException as e:
                return self._reject(f"the library rejected the authentication request: {e.__cause__ or e!r}")

        # ---- deep linking return: the library validates the tool's response (signature with
        # the tool's JWKS, exp, message type, item types); what an LMS also checks and the
        # library does not (iss, aud, deployment_id, the data echo) is checked here.
        @app.post("/dl-return/<hint>")
        def dl_return(hint: str) -> Response:
            conf = self._config()
            entry: t.Dict[str, t.Any] = {"hint": hint, "jwt": request.form.get("JWT")}
            try:
                entry["items"] = conf.validate_deeplinking_resp(request.form.to_dict())
                c = conf._jwt["body"]
                aud = c.get("aud") if isinstance(c.get("aud"), list) else [c.get("aud")]
                entry["peer_findings"] = [
                    name
                    for ok, name in [
                        (c.get("https://purl.imsglobal.org/spec/lti/claim/deployment_id") == self.deployment_id, "deployment_id"),
                        (self.issuer in aud, "aud"),
                        (c.get("iss") == self.client_id, "iss"),
                        (c.get("https://purl.imsglobal.org/spec/lti-dl/claim/data") == f"data-{hint}", "data"),
                    ]
                    if not ok
                ]
                entry["accepted"] = not entry["peer_findings"]
            except Exception as e:  # noqa: BLE001 - the library's exception is the answer recorded
                entry.update(accepted=False, error=f"{type(e).__name__}: {e}")
            with self._lock:
                self.dl_returns.append(entry)
            out = jsonify({k: v for k, v in entry.items() if k != "jwt"})
            out.status_code = 200 if entry["accepted"] else 400
            return out

        # ---- token endpoint (SF §4.1): the library checks the request and the tool's JWT
        # client assertion against the tool's JWKS URL of the registration, then mints the token.
        @app.post("/token")
        def token() -> Response:
            form = request.form.to_dict()
            entry: t.Dict[str, t.Any] = {"form": form}
            try:
                header, claims = _unverified_jwt(form.get("client_assertion", ""))
                entry.update(assertion_header=header, assertion_claims=claims)
            except Exception as e:  # noqa: BLE001 - recorded; the library rejects it below
                entry["assertion_error"] = repr(e)
            conf = self._config()
            try:
                body, status = dict(conf.get_access_token(form)), 200
            except lti_exceptions.UnsupportedGrantType:
                body, status = {"error": "unsupported_grant_type"}, 400
            except lti_exceptions.MissingRequiredClaim as e:
                body, status = {"error": "invalid_request", "error_description": str(e)}, 400
            except Exception as e:  # noqa: BLE001 - LtiException / PyJWT errors: a bad assertion
                body, status = {"error": "invalid_client", "error_description": f"{type(e).__name__}: {e}"}, 401
            entry["status"] = status
            entry["response"] = body
            with self._lock:
                self.token_requests.append(entry)
            out = jsonify(body)
            out.status_code = status
            out.headers["Cache-Control"] = "no-store"
            return out

        def serve(handler: t.Callable[[], LtiResponse]) -> Response:
            """Runs one of the library's handle_* methods (through its handle_resp, which turns
            LtiServiceException into the error response)."""
            try:
                out = to_flask(handler())
            except (lti_exceptions.LtiException, jwt.PyJWTError) as e:
                # The library's `authenticate` lets validate_token's exceptions escape (a
                # token with a bad signature, another issuer, or expired raises instead of
                # answering 401); a platform answers 401 there, so this does.
                out = Response(json.dumps({"error": f"{type(e).__name__}: {e}"}), status=401, content_type="application/json")
            except Exception as e:  # noqa: BLE001 - a bug in the library or here: a plain 500
                out = Response(json.dumps({"error": f"{type(e).__name__}: {e}"}), status=500, content_type="application/json")
            with self._lock:
                self.service_calls.append((request.method, request.full_path.rstrip("?"), out.status_code))
            return out

        @app.get(f"/nrps/{CONTEXT_ID}/memberships")
        def memberships() -> Response:
            svc = PeerNRPS(FlaskRequest(request), self._config(), self)
            return serve(lambda: svc.handle_resp(svc.handle_get_members))

        @app.route(f"/ags/{CONTEXT_ID}/lineitems", methods=["GET", "POST"])
        def lineitems() -> Response:
            svc = PeerAGS(FlaskRequest(request), self._config(), self)
            if request.method == "POST":
                return serve(lambda: svc.handle_resp(svc.handle_create_lineitem))
            return serve(lambda: svc.handle_resp(svc.handle_get_lineitems))

        @app.route(f"/ags/{CONTEXT_ID}/lineitems/<item_id>", methods=["GET", "PUT", "DELETE"])
        def lineitem(item_id: str) -> Response:
            svc = PeerAGS(FlaskRequest(request), self._config(), self, item_id)
            handler = {"GET": svc.handle_get_lineitem, "PUT": svc.handle_update_lineitem, "DELETE": svc.handle_delete_lineitem}[request.method]
            return serve(lambda: svc.handle_resp(handler, line_item_id=item_id))

        @app.post(f"/ags/{CONTEXT_ID}/lineitems/<item_id>/scores")
        def scores(item_id: str) -> Response:
            svc = PeerAGS(FlaskRequest(request), self._config(), self, item_id)
            return serve(lambda: svc.handle_resp(svc.handle_update_score, line_item_id=item_id))

        @app.get(f"/ags/{CONTEXT_ID}/lineitems/<item_id>/results")
        def results(item_id: str) -> Response:
            svc = PeerAGS(FlaskRequest(request), self._config(), self, item_id)
            return serve(lambda: svc.handle_resp(svc.handle_get_results, line_item_id=item_id))

        @app.get("/debug/store")
        def debug_store() -> Response:
            """The LMS's own view of its data (line items, last score per user, token requests)."""
            return jsonify(self.store_snapshot())

        @app.get("/return")
        def return_url() -> Response:
            return Response("returned to the platform", mimetype="text/plain")

        return app

    def _reject(self, why: str) -> Response:
        with self._lock:
            self.errors.append(why)
        return Response(f"invalid authentication request: {why}", status=400, mimetype="text/plain")


class _QuietHandler(WSGIRequestHandler):
    """No access log lines (pytest shows the browser transcript instead)."""

    def log_request(self, *args: t.Any, **kwargs: t.Any) -> None:
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tool", required=True, help="the tool's base URL (LTI Inspector's `tool:` line)")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    peer = PeerPlatform(args.tool, port=args.port, quiet=False).start()
    print(json.dumps(peer.inspector_registration(), indent=2))
    for f in FAULTS:
        print(f"launch ({f}): {peer.launch_url(f)}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        peer.stop()


if __name__ == "__main__":
    main()
