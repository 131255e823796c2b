"""Local stand-ins for the providers crm talks to: an HTTP server speaking Kavenegar's send and
statuslocalmessageid API, and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from tests.harness import free_port

API_KEY = "test-kavenegar-key-5f3a9c"


class SmsGateway:
    """Records every send it accepts. `fail_next` answers that many sends with HTTP 503;
    `stall` (an Event, set = stall) keeps accepted sends from being answered until released."""

    def __init__(self, api_key: str = API_KEY):
        self.api_key = api_key
        self.sent: list[dict] = []
        self.requests: list[str] = []  # every path asked, the key masked
        self.fail_next = 0
        self.stall = threading.Event()
        self.stalled = threading.Event()  # a send is being held
        self.release = threading.Event()
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, code: int, status: int, entries: list[dict], message: str = "") -> None:
                body = json.dumps({"return": {"status": status, "message": message}, "entries": entries}).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client went away (a killed crm)

            def _route(self) -> tuple[str, dict]:
                url = urllib.parse.urlsplit(self.path)
                parts = url.path.strip("/").split("/")
                gateway.requests.append(url.path.replace(gateway.api_key, "<key>"))
                if len(parts) != 4 or parts[0] != "v1" or parts[2] != "sms":
                    return "", {}
                if urllib.parse.unquote(parts[1]) != gateway.api_key:
                    return "bad-key", {}
                return parts[3], dict(urllib.parse.parse_qsl(url.query))

            def do_GET(self):
                method, params = self._route()
                if method == "bad-key":
                    return self._answer(403, 403, [], "invalid API key")
                if method != "statuslocalmessageid.json":
                    return self._answer(404, 404, [])
                with gateway.lock:
                    found = [m for m in gateway.sent if m["localid"] == params.get("localid")]
                if not found:
                    return self._answer(200, 200, [{"messageid": 0, "localid": params.get("localid"), "status": 100,
                                                    "statustext": "not found"}])
                return self._answer(200, 200, [{"messageid": found[0]["messageid"], "localid": found[0]["localid"],
                                                "status": 1, "statustext": "queued"}])

            def do_POST(self):
                method, _ = self._route()
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if method == "bad-key":
                    return self._answer(403, 403, [], "invalid API key")
                if method != "send.json":
                    return self._answer(404, 404, [])
                with gateway.lock:
                    if gateway.fail_next:
                        gateway.fail_next -= 1
                        return self._answer(503, 503, [], "temporarily unavailable")
                    entry = {"messageid": 8_000_000 + len(gateway.sent), "localid": form.get("localid"),
                             "receptor": form.get("receptor"), "message": form.get("message"),
                             "sender": form.get("sender", "")}
                    gateway.sent.append(entry)
                if gateway.stall.is_set():
                    gateway.stalled.set()
                    gateway.release.wait(60)
                self._answer(200, 200, [{**entry, "status": 1, "statustext": "queued"}])

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def to(self, receptor: str) -> list[dict]:
        with self.lock:
            return [m for m in self.sent if m["receptor"] == receptor]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class _Mailbox:
    def __init__(self):
        self.messages: list[dict] = []
        self.stall = threading.Event()  # set = take messages but do not answer until released
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "data": envelope.content.decode("utf-8", "replace")})
        if self.stall.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 OK"


class SmtpServer:
    def __init__(self):
        self.mailbox = _Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self) -> list[dict]:
        return self.mailbox.messages

    def to(self, address: str) -> list[dict]:
        return [m for m in self.messages if address in m["to"]]

    def close(self) -> None:
        self.mailbox.release.set()
        self.controller.stop()


def wait_for(condition, timeout: float = 20.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")
