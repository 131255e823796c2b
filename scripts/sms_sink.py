"""The development SMS sink: a local HTTP server that answers crm's SMS adapter as the gateway
(Kavenegar's `send` and `statuslocalmessageid`) does, and writes every message it accepts as a
JSON line to a file instead of to a phone. `make run` starts it and points crm at it.

    python scripts/sms_sink.py --port 7190 --output var/sms-sink.jsonl
"""

from __future__ import annotations

import argparse
import json
import pathlib
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEV_API_KEY = "dev-sms-sink"  # not a secret: the sink takes only this key, and only on loopback
FIRST_MESSAGE_ID = 9_000_000
QUEUED = 1  # the gateway's status for a message it took


class SmsSink:
    def __init__(self, port: int, output: pathlib.Path, api_key: str = DEV_API_KEY):
        output.parent.mkdir(parents=True, exist_ok=True)
        self.output, self.api_key = output, api_key
        self.sent: dict[str, dict] = {}  # localid -> entry, for the status look-up after a restart
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, entries: list[dict], message: str = "") -> None:
                body = json.dumps({"return": {"status": status, "message": message}, "entries": entries},
                                  ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _method(self) -> str | None:
                """The API method asked for, or None when the path or the key is not the gateway's."""
                parts = urllib.parse.urlsplit(self.path).path.strip("/").split("/")
                if len(parts) != 4 or parts[0] != "v1" or parts[2] != "sms" or parts[1] != sink.api_key:
                    return None
                return parts[3]

            def do_POST(self):
                if self._method() != "send.json":
                    return self._answer(404, [], "unknown method or key")
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers.get("Content-Length") or 0))
                                                   .decode()))
                with sink.lock:
                    entry = sink.sent.get(form.get("localid", ""))
                    if entry is None:  # a localid sent again is the same message
                        entry = {"messageid": FIRST_MESSAGE_ID + len(sink.sent), "localid": form.get("localid", ""),
                                 "receptor": form.get("receptor", ""), "sender": form.get("sender", ""),
                                 "message": form.get("message", "")}
                        sink.sent[entry["localid"]] = entry
                        with sink.output.open("a", encoding="utf-8") as out:
                            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self._answer(200, [{**entry, "status": QUEUED, "statustext": "queued"}])

            def do_GET(self):
                if self._method() != "statuslocalmessageid.json":
                    return self._answer(404, [], "unknown method or key")
                localid = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query)).get("localid", "")
                with sink.lock:
                    entry = sink.sent.get(localid)
                if entry is None:
                    return self._answer(200, [{"messageid": 0, "localid": localid, "status": 100,
                                               "statustext": "not found"}])
                self._answer(200, [{"messageid": entry["messageid"], "localid": localid, "status": QUEUED,
                                    "statustext": "queued"}])

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> SmsSink:
        threading.Thread(target=self.server.serve_forever, daemon=True, name="sms-sink").start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=7190)
    parser.add_argument("--output", default="var/sms-sink.jsonl")
    args = parser.parse_args()
    sink = SmsSink(args.port, pathlib.Path(args.output))
    print(f"SMS sink at {sink.url}, writing {args.output}", flush=True)
    sink.server.serve_forever()


if __name__ == "__main__":
    main()
