"""HTTP plumbing: routing to one handler per service, latency, faults, rate limits, the request log, and the
control API under /_emulator/. The service handlers only see parsed requests and return Replies."""

import json
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from emulator import huawei_sts, iam, metadata, mrs, policies, tencent_batch, tencent_sts, workspace
from emulator.credentials import CREDENTIALS
from emulator.auth import AuthFailure, request_account, request_region, verify_huawei, verify_tencent
from emulator.demo import demo_seed
from emulator.state import MUTATING, named_ids
from emulator.wire import ApiRequest, Reply, huawei_error, request_id, tencent_error

HUAWEI_SERVICES = (iam, huawei_sts, mrs, workspace, metadata)
TENCENT_SERVICES = (tencent_sts,)  # by X-TC-Action; any other action is Batch's


def route(request):
    """(service module, operation, params) for a request, or None."""
    action = request.headers.get("X-TC-Action")
    if action is not None:
        for service in TENCENT_SERVICES:
            if action in service.ACTIONS:
                return service, action, {}
        return tencent_batch, action, {}
    for service in HUAWEI_SERVICES:
        found = service.match(request.method, request.path)
        if found is not None:
            return service, found[0], found[1]
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cloudjobs-emulator/1"
    # Headers and body go out in two writes: without TCP_NODELAY the body waits for the client's delayed ACK
    # (about 40 ms a response on Linux), which made the emulator, not the module, the cost of paging.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # the request log under /_emulator/requests is the record

    def _read(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, reply, content_type="application/json"):
        payload = reply.payload()
        self.send_response(reply.status)
        if payload or reply.status not in (204,):
            self.send_header("Content-Type", reply.headers.pop("Content-Type", content_type))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PUT(self):
        self._dispatch("PUT")

    def _dispatch(self, method):
        parts = urlsplit(self.path)
        body = self._read()
        if parts.path.startswith("/_emulator/"):
            self._control(method, parts.path[len("/_emulator/"):], body)
            return
        request = ApiRequest(method, parts.path, parts.query, self.headers, body)
        self._api(request)

    # -- the cloud APIs ---------------------------------------------------------------------------------------
    def _api(self, request):
        state = self.server.state
        found = route(request)
        if found is None:
            reply = huawei_error(404, "APIGW.0101", GATEWAY_MESSAGES["APIGW.0101"])
            self._log(request, "unknown", "unknown", reply)
            self._send(reply)
            return
        service, operation, params = found
        with state.lock:
            state.in_flight += 1
            request.in_flight = state.in_flight
        try:
            self._serve(request, service, operation, params)
        finally:
            with state.lock:
                state.in_flight -= 1

    def _serve(self, request, service, operation, params):
        state = self.server.state
        with state.lock:
            delay = state.latency(service.NAME, operation)
            fault = state.take_fault(service.NAME, operation, named_ids(operation, request))
        if delay:
            time.sleep(delay)
        if fault is not None and fault.get("kind") != "vanish":
            if self._apply_fault(service, operation, request, fault):
                return
        with state.lock:
            state.advance()
            if fault is not None and fault.get("kind") == "vanish":
                service.vanish(state, fault.get("ids") or [])
            cloud = _cloud(service)
            if cloud == "huawei" and state.gateway_404(service.NAME, operation):
                # API Gateway finds no such API (not published in this region or cloud) before it authenticates.
                reply = huawei_error(404, "APIGW.0101", GATEWAY_MESSAGES["APIGW.0101"])
            else:
                reply = self._answer(state, cloud, service, operation, params, request)
            self._log(request, service.NAME, operation, reply)
        self._send(reply)

    @staticmethod
    def _answer(state, cloud, service, operation, params, request):
        """The reply of an API call that reached its service: signature, policy, rate limit, then the handler."""
        try:
            if cloud == "tencent":
                verify_tencent(request, state, getattr(service, "SIGNING_SERVICE", "batch"))
            elif cloud == "huawei":
                verify_huawei(request, state)
        except AuthFailure as failure:
            return (tencent_error(failure.code, failure.message) if cloud == "tencent"
                    else huawei_error(failure.status, failure.code, failure.message))
        account = request_account(request, state)
        # A denied call is answered before the rate limit counts it and before the handler can change anything.
        reply = policies.check(state, cloud, service.NAME, operation, params, request, account)
        if reply is None and not state.allow(service.NAME, operation, account, request_region(request)):
            reply = service.throttled(state)
        elif reply is None:
            reply = service.handle(state, operation, params, request)
        return reply

    def _apply_fault(self, service, operation, request, fault):
        kind = fault.get("kind", "status")
        tencent = _cloud(service) == "tencent"
        if kind == "delay":
            time.sleep(float(fault.get("delay", 1.0)))
            return False
        if kind in ("drop", "timeout"):
            # Logged first: by the time a timed-out client gives up, the log already shows the attempt.
            self._log(request, service.NAME, operation, Reply(0, error_code="timeout" if kind == "timeout" else "dropped"))
            if kind == "timeout":
                time.sleep(float(fault.get("delay", 5.0)))
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if kind == "status":
            reply = _status_fault(fault, tencent)
        elif kind == "auth":
            # What a wrong key or a revoked token gets; never worth a retry.
            reply = (tencent_error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
                     if tencent else huawei_error(401, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail"))
        elif kind == "echo_headers":
            # Some services quote the request back in an error; the client must scrub its secrets from it.
            echoed = "; ".join("%s: %s" % (k, v) for k, v in request.headers.items())
            reply = (tencent_error("InvalidParameter", "request rejected: " + echoed) if tencent
                     else huawei_error(400, "APIGW.0201", "request rejected: " + echoed))
        elif kind == "malformed":
            reply = Reply(200 if tencent else int(fault.get("status", 200)), b'{"Response": {"RequestId": "x", ]',
                          error_code="malformed")
        elif kind == "truncated":
            whole = json.dumps({"Response": {"RequestId": "x", "JobSet": [], "TotalCount": 0}} if tencent
                               else {"job_list": [], "total_record": 0}).encode()
            reply = Reply(200, whole[: len(whole) // 2], error_code="truncated")
        elif kind == "html":
            reply = _html_page(int(fault.get("status", 502)))
        else:
            reply = huawei_error(500, "EMULATOR", "unknown fault kind %s" % kind)
        if not tencent:
            # API Gateway puts a request id on every answer, its own error pages included.
            reply.headers.setdefault("X-Request-Id", request_id().replace("-", ""))
        self._log(request, service.NAME, operation, reply)
        self._send(reply)
        return True

    def _log(self, request, service, operation, reply):
        entry = {
            "service": service,
            "operation": operation,
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "status": reply.status,
            "mutating": operation in MUTATING,
            "error_code": reply.error_code,
            "request_id": _reply_request_id(reply),
            "time": time.time(),
            "region": request_region(request),
            "ids": named_ids(operation, request),
            "in_flight": request.in_flight,
            "denied_action": reply.denied_action,
        }
        with self.server.state.lock:
            # The account whose key signed the call (Huawei domain id, Tencent uin); None: unsigned or unknown key.
            entry["account"] = request_account(request, self.server.state)
            self.server.state.log.append(entry)

    # -- control API ------------------------------------------------------------------------------------------
    def _control(self, method, name, body):
        state = self.server.state
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            self._send(Reply(400, {"error": "body is not JSON"}))
            return
        try:
            with state.lock:
                if (method, name) == ("POST", "reset"):
                    state.reset()
                    result = {"ok": True}
                elif (method, name) == ("POST", "seed"):
                    seed(state, demo_seed() if data == "demo" or data.get("demo") else data)
                    result = {"ok": True}
                elif (method, name) == ("GET", "state"):
                    result = dump(state)
                elif (method, name) == ("GET", "requests"):
                    result = list(state.log)
                elif (method, name) == ("DELETE", "requests"):
                    state.log = []
                    result = {"ok": True}
                elif (method, name) == ("POST", "faults"):
                    for fault in data if isinstance(data, list) else [data]:
                        state.faults.append(dict(fault))
                    result = {"faults": list(state.faults)}
                elif (method, name) == ("DELETE", "faults"):
                    state.faults = []
                    result = {"ok": True}
                elif (method, name) == ("GET", "faults"):
                    result = {"faults": list(state.faults)}
                elif (method, name) == ("GET", "config"):
                    result = dict(state.config)
                elif (method, name) == ("POST", "config"):
                    result = state.configure(data)
                elif (method, name) == ("GET", "credentials"):
                    result = dict(CREDENTIALS)
                elif (method, name) == ("GET", "credentials/issued"):
                    result = issued(state)
                else:
                    self._send(Reply(404, {"error": "no such control endpoint: %s %s" % (method, name)}))
                    return
        except (ValueError, KeyError, TypeError) as exc:
            self._send(Reply(400, {"error": str(exc)}))
            return
        self._send(Reply(200, result))


GATEWAY_CODES = {404: "APIGW.0101", 429: "APIGW.0308", 500: "APIGW.0601", 502: "APIGW.0201", 503: "APIGW.0613",
                 504: "APIGW.0201"}
# API Gateway's own messages, for a fault that names the code (or the status) and no message.
GATEWAY_MESSAGES = {"APIGW.0101": "The API does not exist or has not been published in the environment."}
GATEWAY_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def _status_fault(fault, tencent):
    """An error answer: the service's own envelope, or for Tencent and a non-200 status the gateway's page."""
    status = int(fault.get("status", 200 if tencent else 500))
    if tencent and status != 200:
        reply = _html_page(status)
    elif tencent:
        reply = tencent_error(fault.get("code") or "InternalError", fault.get("message") or "injected fault")
    else:
        code = fault.get("code") or GATEWAY_CODES.get(status, "APIGW.0601")
        reply = huawei_error(status, code, fault.get("message") or GATEWAY_MESSAGES.get(code, "injected fault"))
    if fault.get("retry_after") is not None:
        reply.headers["Retry-After"] = str(fault["retry_after"])
    return reply


def _html_page(status):
    reason = GATEWAY_REASONS.get(status, "Error")
    body = "<html><head><title>%d %s</title></head><body><h1>%d %s</h1></body></html>" % (status, reason, status, reason)
    return Reply(status, body.encode(), {"Content-Type": "text/html"}, error_code="html")


def _reply_request_id(reply):
    """The request id the client was given, if any: the X-Request-Id header or Tencent's Response.RequestId."""
    if reply.headers.get("X-Request-Id"):
        return reply.headers["X-Request-Id"]
    if isinstance(reply.body, dict) and isinstance(reply.body.get("Response"), dict):
        return reply.body["Response"].get("RequestId")
    return None


def _cloud(service):
    """Whose signature (and error envelope) a service uses: "huawei", "tencent", or "metadata" (unsigned)."""
    return getattr(service, "CLOUD", "huawei")


def issued(state):
    """Every temporary credential the emulator issued, oldest first, with whether it has expired."""
    now = time.time()
    return [dict(record, expired=now >= record["expires_at"])
            for record in sorted(state.issued.values(), key=lambda r: r["issued_at"])]


def seed(state, data):
    unknown = set(data) - {"mrs", "mrs_clusters", "mrs_v1", "workspace", "tencent", "tencent_roles", "huawei_agencies"}
    if unknown:
        raise ValueError("unknown seed keys: %s" % ", ".join(sorted(unknown)))
    for cluster in data.get("mrs_clusters") or []:
        if isinstance(cluster, dict):
            state.mrs_clusters.add((cluster.get("project_id") or iam.default_project(state), cluster["cluster_id"]))
        else:
            state.mrs_clusters.add((iam.default_project(state), cluster))
    mrs.seed(state, data.get("mrs") or [], data.get("mrs_v1") or [])
    workspace.seed(state, data.get("workspace") or [])
    tencent_batch.seed(state, data.get("tencent") or [])
    tencent_sts.seed(state, data.get("tencent_roles") or [])
    iam.seed(state, data.get("huawei_agencies") or [])


def dump(state):
    result = {"mrs_clusters": sorted(c for _p, c in state.mrs_clusters)}
    result.update(mrs.dump(state))
    result.update(workspace.dump(state))
    result.update(tencent_batch.dump(state))
    result.update(tencent_sts.dump(state))
    result.update(iam.dump(state))
    return result


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, state):
        super().__init__(address, Handler)
        self.state = state
