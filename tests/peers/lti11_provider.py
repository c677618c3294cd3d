"""An independent LTI 1.1 *tool provider* whose OAuth 1.0a check is oauthlib's (PyPI), with
Flask. It is an interop peer for LTI Inspector's emulator as an LTI 1.1 consumer: oauthlib's
SignatureOnlyEndpoint verifies each launch (signature over the URL as this server sees it,
consumer key, timestamp window and nonce replay, with the library's default limits); the
provider then checks the LTI parameters a 1.1 tool needs. Its Basic Outcomes client sends a
replaceResult signed by oauthlib (with the body hash) to the launch's lis_outcome_service_url.

Endpoints (base = http://127.0.0.1:PORT):
  POST /launch              200 "accepted: …" or 401/400 with the reason
  POST /outcome/<n>?score=  replaceResult for the n-th accepted launch; answers the platform's XML
"""
from __future__ import annotations

import threading
import typing as t
import uuid

import requests
from flask import Flask, Response, request
from oauthlib import oauth1
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint
from werkzeug.serving import WSGIRequestHandler, make_server


class _Validator(RequestValidator):
    """oauthlib's defaults (nonce 20–30 alphanumerics, 600 s timestamps) but for plain HTTP on
    loopback, and the one consumer this provider knows."""

    enforce_ssl = False

    def __init__(self, key: str, secret: str) -> None:
        super().__init__()
        self.key, self.secret = key, secret
        self.nonces: t.Set[t.Tuple[str, str, str]] = set()
        self.log: t.List[str] = []

    @property
    def dummy_client(self) -> str:
        return "dummy-client-key-000000000"

    def validate_client_key(self, client_key: str, request: t.Any) -> bool:
        ok = client_key == self.key
        if not ok:
            self.log.append(f"unknown consumer key {client_key}")
        return ok

    def get_client_secret(self, client_key: str, request: t.Any) -> str:
        return self.secret if client_key == self.key else "dummy"

    def validate_timestamp_and_nonce(self, client_key: str, timestamp: str, nonce: str, request: t.Any, request_token: t.Any = None, access_token: t.Any = None) -> bool:
        seen = (client_key, timestamp, nonce) in self.nonces or any(n == nonce and k == client_key for k, _, n in self.nonces)
        if seen:
            self.log.append(f"nonce {nonce} replayed")
            return False
        self.nonces.add((client_key, timestamp, nonce))
        return True


class PeerLti11Tool:
    def __init__(self, key: str, secret: str, host: str = "127.0.0.1") -> None:
        self.key, self.secret = key, secret
        self.validator = _Validator(key, secret)
        self.endpoint = SignatureOnlyEndpoint(self.validator)
        self.accepted: t.List[t.Dict[str, str]] = []
        self.refused: t.List[str] = []
        self._server = make_server(host, 0, self._app(), threaded=True, request_handler=_Quiet)
        self.base = f"http://{host}:{self._server.server_port}"
        self._thread: t.Optional[threading.Thread] = None

    @property
    def launch_url(self) -> str:
        return f"{self.base}/launch"

    def _app(self) -> Flask:
        app = Flask("peer-lti11-tool")

        @app.post("/launch")
        def launch() -> t.Any:
            self.validator.log.clear()
            valid, checked = self.endpoint.validate_request(request.url, "POST", request.get_data(as_text=True), dict(request.headers))
            if not valid:
                failed = [k for k, ok in (getattr(checked, "validator_log", None) or {}).items() if not ok]
                why = "; ".join(self.validator.log) or f"oauthlib rejected: {', '.join(failed) or 'the request (malformed or stale timestamp)'}"
                self.refused.append(why)
                return Response(f"refused by oauthlib: {why}", status=401)
            form = request.form.to_dict()
            missing = [k for k in ("lti_message_type", "lti_version", "resource_link_id") if not form.get(k)]
            if missing:
                self.refused.append("missing " + ", ".join(missing))
                return Response(f"refused: missing {', '.join(missing)}", status=400)
            self.accepted.append(form)
            return Response(f"accepted: {form.get('lis_person_name_full', '')} as {form.get('roles', '')}", status=200)

        @app.post("/outcome/<int:n>")
        def outcome(n: int) -> t.Any:
            form = self.accepted[n]
            score = request.args.get("score", "0.5")
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<imsx_POXEnvelopeRequest xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">'
                f"<imsx_POXHeader><imsx_POXRequestHeaderInfo><imsx_version>V1.0</imsx_version><imsx_messageIdentifier>{uuid.uuid4().hex}</imsx_messageIdentifier></imsx_POXRequestHeaderInfo></imsx_POXHeader>"
                f"<imsx_POXBody><replaceResultRequest><resultRecord><sourcedGUID><sourcedId>{form['lis_result_sourcedid']}</sourcedId></sourcedGUID>"
                f"<result><resultScore><language>en</language><textString>{score}</textString></resultScore></result></resultRecord></replaceResultRequest></imsx_POXBody></imsx_POXEnvelopeRequest>"
            )
            # oauthlib adds oauth_body_hash itself for a body that is not form-encoded.
            client = oauth1.Client(self.key, client_secret=self.secret, signature_type=oauth1.SIGNATURE_TYPE_AUTH_HEADER)
            url, headers, _ = client.sign(form["lis_outcome_service_url"], http_method="POST", body=body, headers={"Content-Type": "application/xml"})
            res = requests.post(url, data=body.encode(), headers=headers, timeout=10)
            return Response(res.text, status=res.status_code, content_type="application/xml")

        return app

    def start(self) -> "PeerLti11Tool":
        self._thread = threading.Thread(target=self._server.serve_forever, name="peer-lti11", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "PeerLti11Tool":
        return self.start()

    def __exit__(self, *exc: t.Any) -> None:
        self.stop()


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: t.Any, **kwargs: t.Any) -> None:
        pass
