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

try:  # the library's own auto-submitting form_post page (imports pkg_resources)
    from lti1p3platform.framework.templates import template as LAUNCH_TEMPLATE
except Exception:  # pragma: no cover - setuptools missing
    LAUNCH_TEMPLATE = None

FAULTS = ("none", "wrong_aud", "expired", "unknown_kid", "tampered")

OTHER_CLIENT_ID = "some-other-tool-client-id"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def _new_rsa_pem_pair() -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh 2048-bit RSA key."""
    key = JWK.generate(kty="RSA", size=2048)
    return (
        key.export_to_pem(private_key=True, password=None).decode(),
        key.export_to_pem().decode(),
    )


def _b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


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
    ) -> None:
        self.tool_base = tool_base.rstrip("/")
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.private_key, self.public_key = _new_rsa_pem_pair()
        # Never published: signs the unknown_kid fault.
        self.rogue_private_key, self.rogue_public_key = _new_rsa_pem_pair()
        self.pending: t.Dict[str, PendingLaunch] = {}
        self.issued: t.List[IssuedLaunch] = []
        self.auth_requests: t.List[t.Dict[str, t.Any]] = []
        self.errors: t.List[str] = []
        self._lock = threading.Lock()
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
    def tool_login_url(self) -> str:
        return f"{self.tool_base}/lti/login"

    @property
    def tool_launch_url(self) -> str:
        return f"{self.tool_base}/lti/launch"

    @property
    def tool_jwks_url(self) -> str:
        return f"{self.tool_base}/.well-known/jwks.json"

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
            "jwks_url": self.jwks_url,
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
                user_id=request.args.get("user", "peer-user-42"),
                resource_link_id=request.args.get("resource_link", "peer-resource-link-1"),
                roles=[role],
            )
            with self._lock:
                self.pending[pending.hint] = pending
            login = PeerOIDCLogin(FlaskRequest(request), self._config(fault))
            login.set_lti_message_hint(lti_message_hint=pending.hint)
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
            msg.set_resource_link_claim(pending.resource_link_id, title="Interop activity", description="Launched by the lti1p3platform peer")
            msg.set_launch_context_claim(
                "peer-course-101",
                context_types=["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
                context_title="Interop 101",
                context_label="INT101",
            )
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
