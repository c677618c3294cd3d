"""An independent LTI 1.3 *tool* built on the `PyLTI1p3` library with Flask.

It is an interop peer for LTI Inspector's platform emulator: the library does the real tool
work — the OIDC third-party login (state cookie, nonce in the session, the redirect to the
platform's authorization endpoint), validating the id_token (the platform's JWKS fetched by URL,
signature, nonce, registration, deployment, message claims), building and signing the deep
linking response, and the service clients (client-credentials token with a JWT assertion, NRPS
memberships, AGS line items, scores and results). This module only wires it into Flask.

Endpoints (base = http://127.0.0.1:PORT):
  GET|POST /login            OIDC third-party initiated login (PyLTI1p3 FlaskOIDCLogin)
  POST     /launch           the redirect URI: resource link, submission review and deep linking
                             launches (a deep linking launch answers at once with one
                             ltiResourceLink item, auto-posted back to the platform)
  GET      /jwks             the tool's public key set (for the platform's token endpoint)
  GET      /services/<id>    runs NRPS and AGS calls with the launch <id>'s service claims and
                             answers what came back, as JSON (?score=&user=&tag=)
  GET      /compat/nrps|ags  `make compat`: the library's NRPS / AGS client on ?url=, as JSON

A refused launch answers 400 with the library's message (an LtiException, or the plain Exception
PyLTI1p3 raises for an unknown issuer/client pair), so tests can assert what the library caught.

Run standalone: python tests/peers/tool_server.py  (prints its URLs; configure() it from code)
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import secrets
import threading
import typing as t

from flask import Flask, Response, jsonify, request
from jwcrypto.jwk import JWK
from markupsafe import escape
from werkzeug.serving import WSGIRequestHandler, make_server

from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, LtiServiceException, OIDCException
from pylti1p3.grade import Grade
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.tool_config import ToolConfDict


class PeerTool:
    """The tool server. `start()` runs it in a daemon thread on 127.0.0.1 (free port)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, quiet: bool = True) -> None:
        key = JWK.generate(kty="RSA", size=2048)
        self.private_pem = key.export_to_pem(private_key=True, password=None).decode()
        self.public_pem = key.export_to_pem().decode()
        self.tool_conf: t.Optional[ToolConfDict] = None
        self.issuer: t.Optional[str] = None
        self.client_id: t.Optional[str] = None
        # Validated launches by id, for the service calls that follow them.
        self.launches: t.Dict[str, FlaskMessageLaunch] = {}
        self.errors: t.List[str] = []
        # What a deep linking launch answers with: built by PyLTI1p3's DeepLinkResource (None:
        # one graded ltiResourceLink). Tests set it to items of other types.
        self.dl_resources: t.Optional[t.Callable[["PeerTool"], t.List[DeepLinkResource]]] = None
        self.app = self._make_app()
        self._server = make_server(host, port, self.app, threaded=True, request_handler=_QuietHandler if quiet else None)
        self.base_url = f"http://{host}:{self._server.server_port}"
        self._thread: t.Optional[threading.Thread] = None

    # ---- URLs the platform registers
    @property
    def login_url(self) -> str:
        return f"{self.base_url}/login"

    @property
    def launch_url(self) -> str:
        return f"{self.base_url}/launch"

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/jwks"

    def emulator_registration(self, name: str = "PyLTI1p3 peer tool") -> t.Dict[str, t.Any]:
        """Arguments of LTI Inspector's `save_emulator_tool` for this tool."""
        return {
            "name": name,
            "login_url": self.login_url,
            "redirect_uris": [self.launch_url],
            "target_link_uri": self.launch_url,
            "deep_link_url": self.launch_url,
            "jwks_url": self.jwks_url,
            "custom": {"peer_user": "$User.id", "peer_course": "$Context.id"},
        }

    def configure(self, issuer: str, client_id: str, deployment_ids: t.List[str], auth_login_url: str, auth_token_url: str, key_set_url: str) -> None:
        """Registers the platform in PyLTI1p3's tool configuration (one client per issuer)."""
        conf = ToolConfDict(
            {
                issuer: [
                    {
                        "default": True,
                        "client_id": client_id,
                        "auth_login_url": auth_login_url,
                        "auth_token_url": auth_token_url,
                        "auth_audience": None,
                        "key_set_url": key_set_url,
                        "key_set": None,
                        "deployment_ids": deployment_ids,
                    }
                ]
            }
        )
        conf.set_private_key(issuer, self.private_pem, client_id=client_id)
        conf.set_public_key(issuer, self.public_pem, client_id=client_id)
        self.tool_conf = conf
        self.issuer = issuer
        self.client_id = client_id

    # ---- the Flask app
    def _make_app(self) -> Flask:
        app = Flask("pylti1p3-peer-tool")
        app.secret_key = secrets.token_hex(16)
        peer = self

        def conf() -> ToolConfDict:
            if peer.tool_conf is None:
                raise LtiException("the tool is not configured with a platform yet")
            return peer.tool_conf

        @app.route("/login", methods=["GET", "POST"])
        def login() -> t.Any:
            try:
                oidc = FlaskOIDCLogin(FlaskRequest(), conf())
                target = request.values.get("target_link_uri") or peer.launch_url
                return oidc.redirect(target)
            except (LtiException, OIDCException) as e:
                peer.errors.append(f"login: {e}")
                return Response(f"<h1>Login refused</h1><p>{escape(str(e))}</p>", status=400)

        @app.route("/launch", methods=["POST"])
        def launch() -> t.Any:
            try:
                ml = FlaskMessageLaunch(FlaskRequest(), conf())
                data = ml.get_launch_data()
            except Exception as e:  # LtiException, and plain Exception for an unknown (iss, aud)
                peer.errors.append(f"launch: {type(e).__name__}: {e}")
                return Response(f"<h1>LTI launch refused</h1><p id=\"error\">{escape(str(e))}</p>", status=400)
            launch_id = ml.get_launch_id()
            peer.launches[launch_id] = ml
            if ml.is_deep_link_launch():
                resources = (
                    peer.dl_resources(peer)
                    if peer.dl_resources is not None
                    else [
                        DeepLinkResource()
                        .set_title("PyLTI1p3 chapter")
                        .set_url(peer.launch_url)
                        .set_custom_params({"chapter": "7"})
                        .set_lineitem(LineItem().set_label("Chapter 7 quiz").set_score_maximum(50).set_tag("chapter-7"))
                    ]
                )
                try:
                    return ml.get_deep_link().output_response_form(resources)
                except Exception as e:  # the library fails building its answer (e.g. no return URL)
                    peer.errors.append(f"deep link: {type(e).__name__}: {e}")
                    return Response(f"<h1>Deep linking failed</h1><p id=\"error\">{type(e).__name__}: {escape(str(e))}</p>", status=500)
            summary = {
                "launch_id": launch_id,
                "message_type": data.get("https://purl.imsglobal.org/spec/lti/claim/message_type"),
                "sub": data.get("sub"),
                "roles": data.get("https://purl.imsglobal.org/spec/lti/claim/roles"),
                "custom": data.get("https://purl.imsglobal.org/spec/lti/claim/custom"),
                "resource_link": data.get("https://purl.imsglobal.org/spec/lti/claim/resource_link"),
                "has_nrps": ml.has_nrps(),
                "has_ags": ml.has_ags(),
            }
            body = json.dumps(summary)
            return Response(
                f"<h1>PyLTI1p3 launch accepted</h1><pre id=\"launch\">{escape(body)}</pre>",
                status=200,
                mimetype="text/html",
            )

        @app.route("/compat/<kind>", methods=["GET"])
        def compat_service(kind: str) -> t.Any:
            """`make compat`: the library's NRPS or AGS client reads the answer at ?url= (its
            access token from the registered platform's token endpoint) and hands back what
            your code would get; a refusal answers 502 with the library's words."""
            url = request.args.get("url", "")
            try:
                reg = conf().find_registration_by_params(peer.issuer, peer.client_id)
                connector = ServiceConnector(reg)
                if kind == "nrps":
                    got = NamesRolesProvisioningService(connector, {"context_memberships_url": url}).get_members()
                elif kind == "ags":
                    scope = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"]
                    got = AssignmentsGradesService(connector, {"scope": scope, "lineitems": url}).get_lineitems()
                else:
                    return jsonify({"error": f"unknown service {kind}"}), 404
            except Exception as e:  # LtiServiceException, KeyError, ValueError: the library's answer
                return Response(f"{type(e).__name__}: {e}", status=502, mimetype="text/plain")
            return jsonify(got)

        @app.route("/jwks", methods=["GET"])
        def jwks() -> t.Any:
            if peer.tool_conf is None or peer.issuer is None:
                return jsonify({"keys": []})
            return jsonify(peer.tool_conf.get_jwks(peer.issuer, peer.client_id))

        @app.route("/services/<launch_id>", methods=["GET"])
        def services(launch_id: str) -> t.Any:
            ml = peer.launches.get(launch_id)
            if ml is None:
                return jsonify({"error": "unknown launch"}), 404
            out: t.Dict[str, t.Any] = {}
            try:
                out["members"] = ml.get_nrps().get_members()
                ags = ml.get_ags()
                tag = request.args.get("tag", "pylti1p3-peer")
                lineitem = ags.find_or_create_lineitem(
                    LineItem().set_tag(tag).set_label(f"PyLTI1p3 {tag}").set_score_maximum(10).set_resource_id("peer-resource")
                )
                out["lineitem"] = {"id": lineitem.get_id(), "label": lineitem.get_label(), "scoreMaximum": lineitem.get_score_maximum()}
                user = request.args.get("user") or ml.get_launch_data().get("sub")
                score = float(request.args.get("score", "8"))
                now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
                grade = (
                    Grade()
                    .set_score_given(score)
                    .set_score_maximum(10)
                    .set_timestamp(now)
                    .set_activity_progress("Completed")
                    .set_grading_progress("FullyGraded")
                    .set_user_id(user)
                    .set_comment("Graded by the PyLTI1p3 peer")
                )
                ags.put_grade(grade, lineitem)
                out["grades"] = ags.get_grades(lineitem)
                out["lineitems"] = ags.get_lineitems()
            except (LtiException, LtiServiceException) as e:
                out["error"] = str(e)
                return jsonify(out), 502
            return jsonify(out)

        return app

    # ---- lifecycle
    def start(self) -> "PeerTool":
        self._thread = threading.Thread(target=self._server.serve_forever, name="peer-tool", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "PeerTool":
        return self.start()

    def __exit__(self, *exc: t.Any) -> None:
        self.stop()


class _QuietHandler(WSGIRequestHandler):
    """No access log lines (pytest shows the browser transcript instead)."""

    def log_request(self, *args: t.Any, **kwargs: t.Any) -> None:
        pass


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    with PeerTool(port=args.port, quiet=False) as tool:
        print(json.dumps(tool.emulator_registration(), indent=2))
        print("Register it in the emulator (save_emulator_tool), then call tool.configure(...) — serving; Ctrl-C stops.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
